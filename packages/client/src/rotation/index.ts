export { parseDuration } from "./duration.js";
export { RotationError, type RotationStage } from "./errors.js";
export {
  type CleanupOptions,
  cleanupRotations,
  deleteIfThere,
  findRotationMarkers,
  finishRetirements,
  type InFlightReplacement,
  inFlightReplacementsOf,
  type MaintenanceOptions,
  type MaintenanceOutcome,
  type PendingRetirement,
  type RotationMarkers,
} from "./maintenance.js";
export {
  parseRotationMarker,
  type RetireAction,
  ROTATABLE_NAME_MAX_LENGTH,
  type RotationMarker,
  TOKEN_NAME_MAX_LENGTH,
  unmarkedName,
} from "./markers.js";
export {
  checkRotatable,
  clientWithSecret,
  type DeliveryTarget,
  MAX_OVERLAP,
  type Retirement,
  type RetireOptions,
  type RotateTokenOptions,
  type RotateTokenResult,
  retireToken,
  rotateToken,
  verifyReplacement,
} from "./rotate.js";

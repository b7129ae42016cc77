export { parseDuration } from "./duration.js";
export { RotationError, type RotationStage } from "./errors.js";
export {
  type CleanupOptions,
  cleanupRotations,
  findRotationMarkers,
  finishRetirements,
  type InFlightReplacement,
  type MaintenanceOptions,
  type MaintenanceOutcome,
  type PendingRetirement,
  type RotationMarkers,
} from "./maintenance.js";
export { parseRotationMarker, type RetireAction, type RotationMarker, unmarkedName } from "./markers.js";
export {
  type DeliveryTarget,
  type Retirement,
  type RetireOptions,
  type RotateTokenOptions,
  type RotateTokenResult,
  rotateToken,
} from "./rotate.js";

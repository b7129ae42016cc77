import type { ApiToken } from "@dt-tokens/client";
import type { RotateChoice, RotationHooks, RotationOutcome } from "./rotation.js";

/** What the details drawer and its dialogs may do to a token; the page keeps its list in step. */
export interface Actions {
  setEnabled(token: ApiToken, enabled: boolean): Promise<void>;
  /** Rotates; `deliver` shows the secret until the person stored or discarded it. */
  rotate(token: ApiToken, choice: RotateChoice, deliver: RotationHooks["deliver"]): Promise<RotationOutcome>;
  remove(token: ApiToken): Promise<void>;
}

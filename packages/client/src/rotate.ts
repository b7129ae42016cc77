import type { ApiTokenCreated, ApiTokenUpdate, TokenScope } from "@dt-tokens/types";
import { type TimeframeInput, timeframe } from "./builders.js";
import { expected } from "./invalid-input.js";
import type {
  CreateInput,
  FullApiToken,
  RequestOptions,
  RevokeMode,
  RotateOptions,
  RotateResult,
} from "./types.js";

/** The client methods rotate runs on. @internal */
export interface RotateSteps {
  get(id: string, options: RequestOptions): Promise<FullApiToken>;
  create(body: CreateInput, options: RequestOptions): Promise<ApiTokenCreated>;
  update(id: string, body: ApiTokenUpdate, options: RequestOptions): Promise<void>;
  delete(id: string, options: RequestOptions): Promise<void>;
}

const REVOKE_MODES: readonly RevokeMode[] = ["disable", "delete", "keep"];
const EXPIRY_CHOICES =
  "a decision: a Date, epoch ms, now+30d, sameLifetime, or null for a token that never expires";

/** The new token's expiry as create takes it: a timeframe, or undefined for "never expires". */
function chosenExpiry(choice: RotateOptions["expirationDate"], previous: FullApiToken): string | undefined {
  const value = typeof choice === "function" ? choice(previous) : choice;
  if (value === null) return undefined;
  if (value === undefined) return expected("expirationDate", EXPIRY_CHOICES);
  return timeframe(value as TimeframeInput, "expirationDate", true);
}

/**
 * Replaces a token: reads it, creates a new one with the same name, scopes and personal flag, then
 * revokes the old one as asked. If create fails nothing changed; if revoking fails the result still
 * carries the new secret, with `revoked: false` and `revokeError`. Options are checked before
 * anything changes. @internal
 */
export async function rotate(steps: RotateSteps, id: string, options: RotateOptions): Promise<RotateResult> {
  const {
    expirationDate,
    revoke = "disable",
    name,
    scopes,
    ...requestOptions
  } = options ?? ({} as RotateOptions);
  if (!REVOKE_MODES.includes(revoke)) expected("revoke", "disable, delete or keep", revoke);
  if (expirationDate === undefined) expected("expirationDate", EXPIRY_CHOICES);
  if (typeof expirationDate !== "function" && expirationDate !== null)
    timeframe(expirationDate, "expirationDate", true);

  const previous = await steps.get(id, requestOptions);
  const created = await steps.create(
    {
      name: name ?? previous.name,
      scopes: scopes ?? (previous.scopes as TokenScope[]),
      personalAccessToken: previous.personalAccessToken,
      expirationDate: chosenExpiry(expirationDate, previous),
    },
    requestOptions,
  );
  const result: RotateResult = { created, previous, revoke, revoked: true };
  try {
    if (revoke === "delete") await steps.delete(id, requestOptions);
    if (revoke === "disable") await steps.update(id, { enabled: false }, requestOptions);
  } catch (revokeError) {
    return { ...result, revoked: false, revokeError };
  }
  return result;
}

import type { ApiTokenCreated, ApiTokenUpdate, TokenScope } from "@dt-tokens/types";
import { type TimeframeInput, timeframe } from "./builders.js";
import { expected } from "./invalid-input.js";
import type {
  CreateInput,
  FullApiToken,
  RequestOptions,
  RetireMode,
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

const RETIRE_MODES: readonly RetireMode[] = ["disable", "delete", "keep"];
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
 * retires the old one as asked (`retire`, or its deprecated name `revoke`). If create fails nothing
 * changed; if retiring fails the result still carries the new secret, with `retired: false` and
 * `retireError` (and the deprecated `revoked`, `revokeError`). Options are checked before anything
 * changes. @internal
 */
export async function rotate(steps: RotateSteps, id: string, options: RotateOptions): Promise<RotateResult> {
  const {
    expirationDate,
    retire: asked,
    revoke,
    name,
    scopes,
    ...requestOptions
  } = options ?? ({} as RotateOptions);
  const retire = asked ?? revoke ?? "disable";
  // `revoke` is the deprecated name of `retire`: both may be given only when they agree.
  if ((revoke ?? retire) !== retire) expected("retire", "the mode revoke (its old name) says", retire);
  if (!RETIRE_MODES.includes(retire))
    expected(asked ? "retire" : "revoke", "disable, delete or keep", retire);
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
  let retireError: unknown;
  try {
    if (retire === "delete") await steps.delete(id, requestOptions);
    if (retire === "disable") await steps.update(id, { enabled: false }, requestOptions);
  } catch (e) {
    retireError = e;
  }
  const retired = !retireError;
  return {
    created,
    previous,
    retire,
    retired,
    retireError,
    revoke: retire,
    revoked: retired,
    revokeError: retireError,
  };
}

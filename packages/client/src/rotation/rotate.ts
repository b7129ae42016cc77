/**
 * rotateToken(): the staged rotation. Create the replacement (marked as in flight), deliver its
 * secret through the caller's function, verify it with a call authenticated by the new token,
 * commit (drop the in-flight marker), then retire the old token: now, or after an overlap marked
 * in its name. Any failure before the commit deletes the replacement again.
 */
import type { ApiTokenCreated, TokenScope } from "@dt-tokens/types";
import { classicApiBase } from "../auth-scheme.js";
import { type TimeframeInput, timeframe } from "../builders.js";
import { createApiTokensClient } from "../client.js";
import { expected } from "../invalid-input.js";
import type { ApiTokensClient, CreateInput, FullApiToken, RequestOptions } from "../types.js";
import { parseDuration } from "./duration.js";
import { RotationError, type RotationStage, safeError } from "./errors.js";
import { parseRotationMarker, type RetireAction, retireName, rotatingName } from "./markers.js";

/** What the old token becomes. */
export interface RetireOptions {
  /** `disable` (the default, can be undone), `delete`, or `keep` (left as it is, unmarked). */
  action?: RetireAction | "keep";
  /**
   * Keep the old token working for this long first: `24h`, `7d`, milliseconds, or a Date. The old
   * token is marked in its name; {@link finishRetirements} retires it once the time has come.
   */
  after?: string | number | Date;
}

/** What the deliver function is told about the new token. */
export interface DeliveryTarget {
  /** The new token's id. */
  id: string;
  /** Its final name (without the in-flight marker). */
  name: string;
  /** Its expiry; absent when it never expires. */
  expirationDate?: string;
  /** The token being replaced, as it was read before the rotation. */
  previous: FullApiToken;
}

/** Options of rotateToken. Request options (`signal`, `timeoutMs`, `maxRetries`) apply to every call. */
export interface RotateTokenOptions extends RequestOptions {
  /**
   * Expiry of the new token, chosen explicitly: a Date, epoch ms, ISO string or `now+30d`; `null`
   * for one that never expires; or a function of the old token, such as `sameLifetime`.
   */
  expirationDate: TimeframeInput | null | ((previous: FullApiToken) => TimeframeInput | null | undefined);
  /**
   * Puts the new secret where it is used (a secret store, a file, a deployment). Throw or reject to
   * fail the rotation: the new token is deleted again. The secret should live only in memory and
   * in the places this function writes.
   */
  deliver: (secret: string, target: DeliveryTarget) => unknown;
  /**
   * Called when the rotation rolls back after `deliver` was called (also when `deliver` itself
   * failed), before the new token is deleted: put back what `deliver` replaced, so that no place is
   * left holding a deleted secret. Its failure is reported in the RotationError.
   */
  undo?: (target: DeliveryTarget) => unknown;
  /**
   * Checks, once the old token is read and before anything is created, that `deliver` can work
   * (a directory exists and is writable, a name fits a file name). Throw or reject to stop the
   * rotation with nothing changed (stage `prepare`).
   */
  prepare?: (previous: FullApiToken) => unknown;
  /** What to do with the old token once the new one is delivered and verified (default: disable now). */
  retire?: RetireOptions;
  /** Name of the new token (default: the old token's name). */
  name?: string;
  /** Scopes of the new token (default: the old token's scopes). */
  scopes?: TokenScope[];
  /**
   * A client authenticated with the new secret, for the verification (default: a client on the
   * same environment's classic API with default options: `/api/v2`, also when `client` is on the
   * platform prefix, since a classic token authenticates only there).
   */
  clientFor?: (secret: string) => ApiTokensClient;
  /** Called as each stage starts (for progress output). */
  onStage?: (stage: RotationStage | "retire", target: { tokenId: string; newTokenId?: string }) => void;
}

/** How the old token was retired. */
export interface Retirement {
  action: RetireAction | "keep";
  /** `done`: disabled or deleted; `scheduled`: marked for `at`; `kept`: left alone; `failed`: see `error`. */
  status: "done" | "scheduled" | "kept" | "failed";
  /** When it may be retired (with an overlap). */
  at?: Date;
  /** Why retiring failed: the new token is delivered and works, the old one still works too. */
  error?: Error;
}

/** A completed rotation. `created.token` is the new secret: keep it out of logs. */
export interface RotateTokenResult {
  previous: FullApiToken;
  created: ApiTokenCreated;
  /** The new token's name. */
  name: string;
  retirement: Retirement;
}

/** Rotates one token through the stages create, deliver, verify, commit and retire. */
export async function rotateToken(
  client: ApiTokensClient,
  id: string,
  options: RotateTokenOptions,
): Promise<RotateTokenResult> {
  const {
    expirationDate,
    deliver,
    undo,
    prepare,
    retire = {},
    name,
    scopes,
    clientFor,
    onStage,
    ...req
  } = options;
  // Bad options fail before anything changes.
  if (typeof deliver !== "function") expected("deliver", "a function that stores the secret", typeof deliver);
  const action = retire.action ?? "disable";
  if (!["disable", "delete", "keep"].includes(action))
    expected("retire.action", "disable, delete or keep", action);
  const overlapUntil = retire.after === undefined ? undefined : retireTime(retire.after);
  if (overlapUntil && action === "keep") expected("retire.after", "no overlap with action keep");
  const fail = (stage: RotationStage, cause: unknown): never => {
    throw new RotationError({ stage, tokenId: id, rolledBack: true, cause });
  };

  onStage?.("read", { tokenId: id });
  const previous = await client.get(id, req).catch((e) => fail("read", e));
  const marker = parseRotationMarker(previous.name);
  if (marker?.kind === "retire")
    fail(
      "read",
      new Error(
        `it was replaced already and waits for retirement (${marker.action} at ${marker.at.toISOString()})`,
      ),
    );
  if (marker?.kind === "rotating")
    fail(
      "read",
      new Error(
        `it is a replacement still in flight for ${marker.replaces}; finish or clean up that rotation first`,
      ),
    );
  if (previous.enabled === false)
    fail(
      "read",
      new Error(
        "it is disabled: its replacement would be enabled with the same scopes; enable it first if it is still in use",
      ),
    );
  if (prepare) {
    onStage?.("prepare", { tokenId: id });
    await Promise.resolve()
      .then(() => prepare(previous))
      .catch((e) => fail("prepare", e ?? new Error("unknown error")));
  }
  const finalName = name ?? previous.name;
  const wanted = scopes ?? (previous.scopes as TokenScope[]);
  const expiry = typeof expirationDate === "function" ? expirationDate(previous) : expirationDate;

  onStage?.("create", { tokenId: id });
  const created = await client
    .create(
      {
        name: rotatingName(finalName, previous.id),
        scopes: wanted,
        personalAccessToken: previous.personalAccessToken,
        expirationDate:
          expiry === null || expiry === undefined ? undefined : timeframe(expiry, "expirationDate", true),
      } as CreateInput,
      req,
    )
    .catch((e) => fail("create", e));
  const secret = created.token;
  const newTokenId = created.id;

  const target: DeliveryTarget = {
    id: newTokenId,
    name: finalName,
    expirationDate: created.expirationDate,
    previous,
  };
  let stage: RotationStage = "deliver";
  try {
    onStage?.("deliver", { tokenId: id, newTokenId });
    await deliver(secret, target);
    stage = "verify";
    onStage?.("verify", { tokenId: id, newTokenId });
    await verify((clientFor ?? defaultClientFor(client))(secret), secret, newTokenId, wanted, req);
    stage = "commit";
    onStage?.("commit", { tokenId: id, newTokenId });
    await client.update(newTokenId, { name: finalName }, req);
  } catch (cause) {
    const undoError = undo
      ? await Promise.resolve()
          .then(() => undo(target))
          .then(
            () => undefined,
            (e: unknown) => e ?? new Error("unknown error"),
          )
      : undefined;
    // The caller's signal may be what failed: the rollback must still run.
    const { timeoutMs, maxRetries } = req;
    const rollbackError = await client.delete(newTokenId, { timeoutMs, maxRetries }).then(
      () => undefined,
      (e: unknown) => e ?? new Error("unknown error"),
    );
    throw new RotationError(
      {
        stage,
        tokenId: id,
        newTokenId,
        rolledBack: rollbackError === undefined,
        cause,
        rollbackError,
        undoError,
      },
      secret,
    );
  }

  onStage?.("retire", { tokenId: id, newTokenId });
  const retirement: Retirement = { action, ...(overlapUntil && { at: overlapUntil }), status: "done" };
  try {
    if (action === "keep") retirement.status = "kept";
    else if (overlapUntil) {
      await client.update(id, { name: retireName(previous.name, action, overlapUntil) }, req);
      retirement.status = "scheduled";
    } else if (action === "delete") await client.delete(id, req);
    else await client.update(id, { enabled: false }, req);
  } catch (error) {
    Object.assign(retirement, { status: "failed", error: safeError(error, secret) });
  }
  return { previous, created, name: finalName, retirement };
}

function retireTime(after: string | number | Date): Date {
  if (after instanceof Date)
    return Number.isNaN(after.getTime()) ? expected("retire.after", "a valid Date") : after;
  return new Date(Date.now() + parseDuration(after, "retire.after"));
}

/**
 * A client authenticated by the new (classic) token. A classic token authenticates only on /api/v2,
 * so a caller on the platform prefix (a platform token, an OAuth client) verifies it there.
 */
const defaultClientFor = (client: ApiTokensClient) => (secret: string) =>
  createApiTokensClient({ environmentUrl: classicApiBase(client.baseUrl), token: secret });

/** A call authenticated with the new token succeeds, and lookup reports it enabled with the expected scopes. */
async function verify(
  asNew: ApiTokensClient,
  secret: string,
  newTokenId: string,
  wanted: readonly string[],
  req: RequestOptions,
): Promise<void> {
  const seen = await asNew.lookup(secret, req);
  if (seen.id !== newTokenId) throw new Error(`lookup answered for ${seen.id}, not ${newTokenId}`);
  if (seen.enabled === false) throw new Error("lookup reports the new token disabled");
  const have = new Set<string>(seen.scopes ?? []);
  const missing = wanted.filter((s) => !have.has(s));
  const extra = [...have].filter((s) => !wanted.includes(s));
  if (missing.length || extra.length)
    throw new Error(
      `lookup reports other scopes than asked for (${[...missing.map((s) => `missing ${s}`), ...extra.map((s) => `extra ${s}`)].join(", ")})`,
    );
}

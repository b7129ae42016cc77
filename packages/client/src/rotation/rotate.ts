/**
 * rotateToken(): the staged rotation. Create the replacement (marked as in flight), mark that its
 * delivery starts, deliver its secret through the caller's function, verify it with a call
 * authenticated by the new token, commit (drop the in-flight marker), then retire the old token:
 * now, or after an overlap marked in its name. Any failure before the commit deletes the
 * replacement again. One rotation per token: a token with a replacement in flight (another run,
 * here or on another machine) is refused, naming that replacement, before and after the create.
 */
import { type ApiTokenCreated, LEGACY_TOKEN_SCOPES, type TokenScope } from "@dt-tokens/types";
import { classicApiBase } from "../auth-scheme.js";
import { type TimeframeInput, timeframe } from "../builders.js";
import { createApiTokensClient } from "../client.js";
import { NotFoundError } from "../errors.js";
import { expected } from "../invalid-input.js";
import type { ApiTokensClient, CreateInput, FullApiToken, RequestOptions } from "../types.js";
import { parseDuration } from "./duration.js";
import { RotationError, type RotationStage, safeError } from "./errors.js";
import { deleteIfThere, inFlightReplacementsOf } from "./maintenance.js";
import {
  deliveringName,
  parseRotationMarker,
  type RetireAction,
  ROTATABLE_NAME_MAX_LENGTH,
  retireName,
  rotatingName,
} from "./markers.js";

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
  /**
   * Called as each stage starts, and awaited (progress output, or a journal written to disk before
   * the stage runs). Its failure before the commit rolls the rotation back like a failed stage.
   */
  onStage?: (stage: RotationStage | "retire", target: { tokenId: string; newTokenId?: string }) => unknown;
  /**
   * Retire the old token with a client authenticated by the new, verified secret: needed when the
   * old token is the caller's own credential (Dynatrace refuses to disable the token in use).
   */
  retireWithNewToken?: boolean;
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
    retireWithNewToken,
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

  await onStage?.("read", { tokenId: id });
  const previous = await client.get(id, req).catch((e) => fail("read", e));
  const finalName = name ?? previous.name;
  const wanted = scopes ?? (previous.scopes as TokenScope[]);
  await checkRotatable(client, previous, { name, scopes, ...req }).catch((e) => fail("read", e));
  if (prepare) {
    await onStage?.("prepare", { tokenId: id });
    await Promise.resolve()
      .then(() => prepare(previous))
      .catch((e) => fail("prepare", e ?? new Error("unknown error")));
  }
  const expiry = typeof expirationDate === "function" ? expirationDate(previous) : expirationDate;

  await onStage?.("create", { tokenId: id });
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
  const asNew = () => (clientFor ?? defaultClientFor(client))(secret);
  let stage: RotationStage = "create";
  let delivering = false;
  try {
    // Another run may have created its replacement at the same time: the one created first goes
    // on, every later one refuses (both see both; a tie, or a date missing, and neither goes on).
    const found = await inFlightReplacementsOf(client, id, { ...req, scope: wanted[0] });
    const at = (t?: { creationDate?: string }) => Date.parse(t?.creationDate ?? "");
    const mine = at(found.find((t) => t.id === newTokenId));
    const before = found.find((t) => t.id !== newTokenId && (t.delivering || !(at(t) > mine)));
    if (before) throw inFlightError(before);
    // Or another run finished in the meantime (its replacement committed, this token retired or
    // marked for retirement): this replacement would be a second one, so it goes.
    await checkUnchanged(client, previous, req);
    stage = "deliver";
    await onStage?.("deliver", { tokenId: id, newTokenId });
    // From here the secret may be in use: the clean-up never deletes a replacement so marked.
    await client.update(newTokenId, { name: deliveringName(finalName, previous.id) }, req);
    delivering = true;
    await deliver(secret, target);
    stage = "verify";
    await onStage?.("verify", { tokenId: id, newTokenId });
    await verify(asNew(), secret, newTokenId, wanted, req);
    stage = "commit";
    await onStage?.("commit", { tokenId: id, newTokenId });
    await client.update(newTokenId, { name: finalName }, req);
  } catch (cause) {
    const undoError =
      undo && delivering
        ? await Promise.resolve()
            .then(() => undo(target))
            .then(
              () => undefined,
              (e: unknown) => e ?? new Error("unknown error"),
            )
        : undefined;
    // The caller's signal may be what failed: the rollback must still run.
    const { timeoutMs, maxRetries } = req;
    const rollbackError = await deleteIfThere(client, newTokenId, { timeoutMs, maxRetries }).then(
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

  const retirement: Retirement = { action, ...(overlapUntil && { at: overlapUntil }), status: "done" };
  try {
    await onStage?.("retire", { tokenId: id, newTokenId });
    Object.assign(
      retirement,
      await retireToken(retireWithNewToken ? asNew() : client, previous, action, overlapUntil, req),
    );
  } catch (error) {
    Object.assign(retirement, { status: "failed", error: safeError(error, secret) });
  }
  return { previous, created, name: finalName, retirement };
}

/**
 * Whether a token can be rotated, as rotateToken checks it before creating anything (and a dry run
 * checks it without creating anything): it carries no rotation marker, it is enabled, its name
 * leaves room for the markers, its scopes can still be assigned, and no replacement of it is in
 * flight (another rotation, here or elsewhere). Rejects with an Error saying why.
 */
export async function checkRotatable(
  client: ApiTokensClient,
  previous: FullApiToken,
  options: RequestOptions & { name?: string; scopes?: readonly string[] } = {},
): Promise<void> {
  const { name, scopes, ...req } = options;
  const marker = parseRotationMarker(previous.name);
  if (marker?.kind === "retire")
    throw new Error(
      `it was replaced already and waits for retirement (${marker.action} at ${marker.at.toISOString()})`,
    );
  if (marker?.kind === "rotating")
    throw new Error(
      `it is a replacement still in flight for ${marker.replaces}; finish or clean up that rotation first`,
    );
  if (previous.enabled === false)
    throw new Error(
      "it is disabled: its replacement would be enabled with the same scopes; enable it first if it is still in use",
    );
  const finalName = name ?? previous.name;
  if (finalName.length > ROTATABLE_NAME_MAX_LENGTH)
    throw new Error(
      `its name is ${finalName.length} characters long; with the rotation's marker it would not fit in a token name (at most ${ROTATABLE_NAME_MAX_LENGTH} characters can be rotated)`,
    );
  const wanted = scopes ?? previous.scopes ?? [];
  const legacy = wanted.filter((s) => (LEGACY_TOKEN_SCOPES as readonly string[]).includes(s));
  if (legacy.length > 0)
    throw new Error(
      `it has legacy scopes that can no longer be assigned (${legacy.join(", ")}): its replacement cannot have them; create a new token with current scopes instead`,
    );
  const inFlight = await inFlightReplacementsOf(client, previous.id, { ...req, scope: wanted[0] });
  if (inFlight.length > 0) throw inFlightError(inFlight[0]!);
}

/**
 * Retires the old token as planned: marks it for later (an overlap), deletes or disables it now,
 * or keeps it. A token that is gone already counts as retired. Run again after a crash, it does
 * the same (a recovery completes a rotation with it).
 */
export async function retireToken(
  client: ApiTokensClient,
  old: { id: string; name: string },
  action: RetireAction | "keep",
  overlapUntil: Date | undefined,
  req: RequestOptions = {},
): Promise<Pick<Retirement, "status">> {
  if (action === "keep") return { status: "kept" };
  try {
    if (overlapUntil) {
      await client.update(old.id, { name: retireName(old.name, action, overlapUntil) }, req);
      return { status: "scheduled" };
    }
    if (action === "delete") await client.delete(old.id, req);
    else await client.update(old.id, { enabled: false }, req);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  return { status: "done" };
}

/** The refusal of a second rotation of a token, naming the replacement in flight. */
/** Rejects when the token was deleted, disabled or renamed since `previous` was read. */
async function checkUnchanged(client: ApiTokensClient, previous: FullApiToken, req: RequestOptions) {
  const now = await client.get(previous.id, req).catch((e: unknown) => {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  });
  const change = !now
    ? "deleted"
    : now.enabled === false
      ? "disabled"
      : now.name !== previous.name && `renamed to "${now.name}"`;
  if (change)
    throw new Error(
      `it was ${change} while this rotation ran (another rotation of it finished first?); this one stops`,
    );
}

function inFlightError(t: { id: string; creationDate?: string; delivering: boolean }): Error {
  return new Error(
    `another rotation of it is in flight: its replacement ${t.id} (created ${t.creationDate ?? "at an unknown time"}${t.delivering ? ", delivery started" : ""}) is not committed; let it finish, or recover it with \`dt-tokens cleanup\` on the machine that ran it`,
  );
}

/** The longest overlap: an old token kept working for more than a year is not being rotated. */
export const MAX_OVERLAP = "366d";

function retireTime(after: string | number | Date): Date {
  const latest = Date.now() + parseDuration(MAX_OVERLAP);
  const at =
    after instanceof Date
      ? Number.isNaN(after.getTime())
        ? expected("retire.after", "a valid Date")
        : after
      : new Date(Date.now() + parseDuration(after, "retire.after"));
  // Checked before anything is created: a time the marker cannot hold would fail after the create.
  if (!(at.getTime() <= latest))
    expected("retire.after", `an overlap of at most ${MAX_OVERLAP}`, String(after));
  return at;
}

/**
 * A client authenticated by the new (classic) token. A classic token authenticates only on /api/v2,
 * so a caller on the platform prefix (a platform token, an OAuth client) verifies it there.
 */
const defaultClientFor = (client: ApiTokensClient) => (secret: string) =>
  createApiTokensClient({ environmentUrl: classicApiBase(client.baseUrl), token: secret });

/** A client on the environment's classic API authenticated by a (new) secret. */
export const clientWithSecret = (client: ApiTokensClient, secret: string): ApiTokensClient =>
  defaultClientFor(client)(secret);

/**
 * Checks a replacement's secret as the rotation's verify stage does, with a client on the same
 * environment's classic API authenticated by it (a recovery after a crash verifies with it too).
 */
export function verifyReplacement(
  client: ApiTokensClient,
  secret: string,
  newTokenId: string,
  wanted: readonly string[],
  req: RequestOptions = {},
): Promise<void> {
  return verify(defaultClientFor(client)(secret), secret, newTokenId, wanted, req).catch((e) => {
    throw safeError(e, secret);
  });
}

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

/**
 * The rotation markers found in an environment, and the two jobs that act on them: finishing
 * overlaps whose time has come, and cleaning up replacements whose rotation never finished. Both
 * read only Dynatrace, so they can run on another machine than the rotation.
 */

import { NotFoundError } from "../errors.js";
import type { ApiTokensClient, RequestOptions } from "../types.js";
import { parseDuration } from "./duration.js";
import { safeError } from "./errors.js";
import { parseRotationMarker, type RetireAction } from "./markers.js";

/** A replacement created by a rotation that has not committed (yet, or ever). */
export interface InFlightReplacement {
  id: string;
  name: string;
  /** Its name without the marker. */
  baseName: string;
  /** The id of the token it was meant to replace. */
  replaces: string;
  /** Its delivery had started: its secret may be in use, so the clean-up does not delete it. */
  delivering: boolean;
  creationDate?: string;
}

/** An old token kept working for an overlap. */
export interface PendingRetirement {
  id: string;
  name: string;
  baseName: string;
  action: RetireAction;
  /** When it may be retired. */
  at: Date;
  enabled?: boolean;
}

/** Every rotation marker in the environment. */
export interface RotationMarkers {
  inFlight: InFlightReplacement[];
  retirements: PendingRetirement[];
}

/** Lists every token once and sorts out those carrying a rotation marker. */
export async function findRotationMarkers(
  client: ApiTokensClient,
  options: RequestOptions = {},
): Promise<RotationMarkers> {
  const found: RotationMarkers = { inFlight: [], retirements: [] };
  const tokens = client.listAll({ fields: ["name", "enabled", "creationDate"] }, options);
  for await (const { id, name, enabled, creationDate } of tokens) {
    const marker = parseRotationMarker(name);
    if (marker?.kind === "rotating")
      found.inFlight.push({
        id,
        name,
        baseName: marker.baseName,
        replaces: marker.replaces,
        delivering: marker.delivering === true,
        creationDate,
      });
    else if (marker?.kind === "retire")
      found.retirements.push({
        id,
        name,
        baseName: marker.baseName,
        action: marker.action,
        at: marker.at,
        enabled,
      });
  }
  found.retirements.sort((a, b) => a.at.getTime() - b.at.getTime());
  return found;
}

/** Options of finishRetirements and cleanupRotations. */
export interface MaintenanceOptions extends RequestOptions {
  /** Report what would be done, change nothing. */
  dryRun?: boolean;
  /** The current time (default: now). */
  now?: Date;
}

/** What happened to one marked token. */
export interface MaintenanceOutcome<T> {
  token: T;
  /**
   * `done`: retired or removed; `planned`: would be, in a dry run; `waiting`: not yet; `held`: a
   * replacement whose delivery had started, never deleted by the clean-up (its secret may be in
   * use); `failed`: see `error`.
   */
  status: "done" | "planned" | "waiting" | "held" | "failed";
  error?: Error;
}

/**
 * Retires every old token whose overlap has ended: disables it (and drops the marker from its
 * name) or deletes it, as marked. Token by token: one failure does not stop the others.
 */
export async function finishRetirements(
  client: ApiTokensClient,
  options: MaintenanceOptions = {},
): Promise<MaintenanceOutcome<PendingRetirement>[]> {
  const { dryRun, now = new Date(), ...req } = options;
  const { retirements } = await findRotationMarkers(client, req);
  return each(
    retirements,
    (t) => t.at <= now,
    dryRun,
    (t) =>
      t.action === "delete"
        ? deleteIfThere(client, t.id, req)
        : client.update(t.id, { name: t.baseName, enabled: false }, req),
  );
}

/** Options of cleanupRotations. */
export interface CleanupOptions extends MaintenanceOptions {
  /**
   * Only replacements created at least this long ago (default `1h`), so that a rotation still
   * running elsewhere is left alone: `30m`, `0s`, milliseconds.
   */
  olderThan?: string | number;
}

/**
 * Deletes the replacements of rotations that never finished (created, never committed), except
 * those whose delivery had started (`held`): their secret may be in a sink and in use. The journal
 * of the machine that ran the rotation completes or rolls those back (`dt-tokens cleanup` there).
 */
export async function cleanupRotations(
  client: ApiTokensClient,
  options: CleanupOptions = {},
): Promise<MaintenanceOutcome<InFlightReplacement>[]> {
  const { dryRun, now = new Date(), olderThan = "1h", ...req } = options;
  const cutoff = now.getTime() - parseDuration(olderThan, "olderThan");
  const { inFlight } = await findRotationMarkers(client, req);
  const old = (t: InFlightReplacement) => !t.creationDate || Date.parse(t.creationDate) <= cutoff;
  const held = inFlight.filter((t) => t.delivering).map((token) => ({ token, status: "held" as const }));
  const deletable = inFlight.filter((t) => !t.delivering);
  return [...held, ...(await each(deletable, old, dryRun, (t) => deleteIfThere(client, t.id, req)))];
}

/**
 * The replacements in flight for one token (another rotation of it is running, or died). Lists the
 * tokens having `scope` when given (a replacement has the scopes of the token it replaces).
 */
export async function inFlightReplacementsOf(
  client: ApiTokensClient,
  replaces: string,
  options: RequestOptions & { scope?: string } = {},
): Promise<InFlightReplacement[]> {
  const { scope, ...req } = options;
  const found: InFlightReplacement[] = [];
  const tokens = client.listAll(
    { fields: ["name", "creationDate"], ...(scope && { selector: { scopes: [scope] } }) },
    req,
  );
  for await (const { id, name, creationDate } of tokens) {
    const marker = parseRotationMarker(name);
    if (marker?.kind === "rotating" && marker.replaces === replaces)
      found.push({
        id,
        name,
        baseName: marker.baseName,
        replaces,
        delivering: marker.delivering === true,
        creationDate,
      });
  }
  return found;
}

/** Deletes a token; one that is gone already (another run got there first) counts as deleted. */
export const deleteIfThere = (client: ApiTokensClient, id: string, req: RequestOptions) =>
  client.delete(id, req).catch((e: unknown) => {
    if (!(e instanceof NotFoundError)) throw e;
  });

async function each<T>(
  tokens: T[],
  due: (token: T) => boolean,
  dryRun: boolean | undefined,
  act: (token: T) => Promise<void>,
): Promise<MaintenanceOutcome<T>[]> {
  const outcomes: MaintenanceOutcome<T>[] = [];
  for (const token of tokens) {
    if (!due(token)) outcomes.push({ token, status: "waiting" });
    else if (dryRun) outcomes.push({ token, status: "planned" });
    else
      outcomes.push(
        await act(token).then(
          () => ({ token, status: "done" as const }),
          (e: unknown) => ({ token, status: "failed" as const, error: safeError(e) }),
        ),
      );
  }
  return outcomes;
}

/**
 * Which tokens `rotate` replaces: the ids given, or those a selector finds (enabled, optionally
 * only those expiring within a duration or with a given name). Tokens that are part of a rotation
 * (marked) are passed over, with the reason.
 */
import { type ApiTokensClient, parseRotationMarker } from "@dt-tokens/client";
import { formatDate } from "@dt-tokens/client/display";
import { durationArg } from "./duration.js";
import { selectorOf } from "./token-fetch.js";

export interface TargetSelection {
  owner?: string;
  scope?: string[];
  personal?: boolean;
  name?: string;
  expiringWithin?: string;
}

export interface Target {
  id: string;
  name: string;
  expirationDate?: string;
}

/** Whether any selector option was given. */
export const hasSelector = (o: TargetSelection) =>
  [o.owner, o.scope, o.personal, o.name, o.expiringWithin].some((v) => v !== undefined);

/**
 * --overlap and --older-than: a duration where 0 means "now" (`--overlap 0s` retires at the next
 * --finish), in the grammar the library reads `retire.after` with; a UsageError naming the flag otherwise.
 */
export const durationOrZeroArg = (value: string, flag: string): number =>
  durationArg(value, flag, { zero: true });

/** --expiring-within in milliseconds, when given (as audit reads it). */
export const expiringWithinMs = (value: string | undefined) =>
  value === undefined ? undefined : durationArg(value, "--expiring-within");

/** The tokens a selector finds, and those it passed over with the reason. */
export async function selectTargets(
  client: ApiTokensClient,
  o: TargetSelection,
): Promise<{ targets: Target[]; skipped: { target: Target; reason: string }[] }> {
  const within = expiringWithinMs(o.expiringWithin);
  const targets: Target[] = [];
  const skipped: { target: Target; reason: string }[] = [];
  const tokens = client.listAll({
    selector: selectorOf(o),
    fields: ["name", "enabled", "expirationDate"],
    sort: "expirationDate",
  });
  for await (const { id, name, enabled, expirationDate } of tokens) {
    const target = { id, name, ...(expirationDate && { expirationDate }) };
    if (o.name !== undefined && name !== o.name) continue;
    // Expiring: not expired yet (an expired token is dead; rotate it by id if it should live again).
    const expires = expirationDate ? Date.parse(expirationDate) : undefined;
    if (within !== undefined && (!expires || expires <= Date.now() || expires > Date.now() + within))
      continue;
    const marker = parseRotationMarker(name);
    if (marker?.kind === "retire")
      skipped.push({ target, reason: `already replaced; retires at ${formatDate(marker.at)}` });
    else if (marker?.kind === "rotating") skipped.push({ target, reason: "a replacement still in flight" });
    else if (enabled !== false) targets.push(target);
  }
  return { targets, skipped };
}

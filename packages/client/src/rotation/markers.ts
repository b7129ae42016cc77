/**
 * The markers rotation leaves in token names, so that its state lives in Dynatrace itself (the API
 * lets a caller set only `name`, `enabled` and `scopes`; `additionalMetadata` is read-only):
 *
 * - `<name> [dt-tokens:rotating:<old id>]` on a replacement between create and the start of its
 *   delivery: a crash leaves it recognizable, and the clean-up removes it (nobody has its secret);
 * - `<name> [dt-tokens:delivering:<old id>]` on a replacement from the start of its delivery until
 *   it is verified and committed: its secret may be in use, so the clean-up never deletes it; the
 *   rotation's journal (on the machine that ran it) completes or rolls it back;
 * - `<name> [dt-tokens:retire:<disable|delete>@<ISO time>]` on an old token kept working for an
 *   overlap: `finishRetirements` disables or deletes it once the time has come, from any machine.
 */

/** What to do with an old token at retirement. */
export type RetireAction = "disable" | "delete";

/** A marker read from a token name. */
export type RotationMarker =
  | { kind: "rotating"; baseName: string; replaces: string; delivering?: true }
  | { kind: "retire"; baseName: string; action: RetireAction; at: Date };

const ROTATING = /^(.*?) ?\[dt-tokens:(rotating|delivering):([^\]\s]+)\]$/s;
const RETIRE = /^(.*?) ?\[dt-tokens:retire:(disable|delete)@([0-9T:.Z-]+)\]$/s;

/** The name of a replacement in flight: the final name plus the in-flight marker. */
export function rotatingName(baseName: string, replaces: string): string {
  return `${baseName} [dt-tokens:rotating:${replaces}]`;
}

/** The name of a replacement whose delivery has started: its secret may be in use. */
export function deliveringName(baseName: string, replaces: string): string {
  return `${baseName} [dt-tokens:delivering:${replaces}]`;
}

/**
 * The longest token name Dynatrace accepts. A rotation refuses a name that would not fit with its
 * markers, before it creates anything.
 */
export const TOKEN_NAME_MAX_LENGTH = 1000;

/**
 * The longest name a rotation can keep: room for the longest marker it adds (a delivering marker
 * with a classic token id, 55 characters; a test checks the number). A literal, not a computation,
 * so that bundles that do not rotate drop this module.
 */
export const ROTATABLE_NAME_MAX_LENGTH = 945;

/** The name of an old token waiting for retirement. */
export function retireName(baseName: string, action: RetireAction, at: Date): string {
  return `${baseName} [dt-tokens:retire:${action}@${at.toISOString()}]`;
}

/** Reads the rotation marker of a token name; undefined when it carries none. */
export function parseRotationMarker(name: string | undefined): RotationMarker | undefined {
  if (!name) return;
  const rotating = ROTATING.exec(name);
  if (rotating)
    return {
      kind: "rotating",
      baseName: rotating[1]!,
      replaces: rotating[3]!,
      ...(rotating[2] === "delivering" && { delivering: true as const }),
    };
  const retire = RETIRE.exec(name);
  const at = retire ? new Date(retire[3]!) : undefined;
  if (retire && at && !Number.isNaN(at.getTime()))
    return { kind: "retire", baseName: retire[1]!, action: retire[2] as RetireAction, at };
}

/** A token name without its rotation marker (the name itself when it has none). */
export function unmarkedName(name: string): string {
  return parseRotationMarker(name)?.baseName ?? name;
}

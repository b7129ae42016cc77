/**
 * One sink, one token: the places the sinks of a whole plan write to, checked before anything is
 * created (and by --dry-run, which runs the same check). Two targets whose sinks resolve to the
 * same place (the same file once links are followed, the same dotenv file and key, the same command
 * text, stdout) would each overwrite the other's secret, leaving a live token whose secret nobody
 * holds: such a plan is refused, whatever kind of token it rotates.
 */
import { describeSink, makeSink, type SinkSpec } from "./parse.js";
import { type SinkPlace, samePlace } from "./sink.js";

/** One target of a plan: what identifies it in messages, and the values of its placeholders. */
export interface PlannedTarget {
  /** How the target is named in a message: `dt0c01.ABC "grafana"`. */
  title: string;
  id: string;
  name: string;
}

/** Where a conflict was found: the two targets (maybe the same one) and the place. */
export interface SinkConflict {
  first: PlannedTarget;
  second: PlannedTarget;
  firstLabel: string;
  secondLabel: string;
}

/**
 * The first two sinks of the plan that share a place, or undefined. {newId} stands for a value no
 * other target has (new ids are unique), so a path with {newId} never conflicts with another
 * target's.
 */
export async function findSinkConflict(
  specs: SinkSpec[],
  targets: PlannedTarget[],
): Promise<SinkConflict | undefined> {
  const seen: { target: PlannedTarget; label: string; place: SinkPlace }[] = [];
  for (const target of targets) {
    const info = { id: target.id, name: target.name, newId: `newId-of-${target.id}` };
    for (const spec of specs) {
      let sink: ReturnType<typeof makeSink>;
      try {
        sink = makeSink(spec, info, { env: {}, stdout: { write: () => true } } as never);
      } catch {
        continue; // a placeholder that cannot be filled: the target's own check refuses it
      }
      const place = await sink.place();
      const label = describeSink(spec, { ...info, newId: "{newId}" });
      const other = seen.find((s) => samePlace(s.place, place));
      if (other) return { first: other.target, second: target, firstLabel: other.label, secondLabel: label };
      seen.push({ target, label, place });
    }
  }
}

/** The refusal of a conflicting plan, in words. */
export function describeConflict(c: SinkConflict): string {
  const where =
    c.first === c.second
      ? `${c.first.title} would get its secret at ${c.firstLabel} twice`
      : `${c.first.title} and ${c.second.title} would both get their secret at ${c.firstLabel === c.secondLabel ? c.firstLabel : `${c.firstLabel} and ${c.secondLabel}`}, which are one place`;
  return `one sink, one token: ${where}; the second would overwrite the first and leave a token whose secret nobody holds; nothing was changed`;
}

export const CONFLICT_HINT =
  "hint: give each token its own place with {id} (the old token's id) or {newId}, e.g. --to 'file:tokens/{id}.token'";

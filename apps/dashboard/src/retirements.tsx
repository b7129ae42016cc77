/**
 * Old tokens kept working for an overlap after a rotation, read from the markers in their names,
 * with when each may go; and the replacements of rotations that never finished. "Retire due
 * tokens" does what `dt-tokens rotate --finish` does.
 */
import { type ApiToken, parseRotationMarker, type RotationMarker } from "@dt-tokens/client";
import { useState } from "preact/hooks";
import { describeError, type Problem } from "./errors.js";
import { element, useFocusNext } from "./focus.js";
import { formatDateTime, show } from "./format.js";
import { ProblemBox } from "./problem-box.js";

type Marked = { token: ApiToken; marker: RotationMarker };

export function Retirements({
  tokens,
  now,
  writable,
  onFinish,
}: {
  tokens: ApiToken[];
  now: number;
  writable: boolean;
  onFinish: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const focusNext = useFocusNext();
  const marked: Marked[] = tokens.flatMap((token) => {
    const marker = parseRotationMarker(token.name);
    return marker ? [{ token, marker }] : [];
  });
  const waiting = marked.filter((m) => m.marker.kind === "retire");
  const inFlight = marked.filter((m) => m.marker.kind === "rotating");
  if (marked.length === 0) return null;
  const at = (m: Marked) => (m.marker.kind === "retire" ? m.marker.at.getTime() : 0);
  const due = waiting.filter((m) => at(m) <= now);

  async function finish() {
    if (busy) return;
    setBusy(true);
    setProblem(undefined);
    try {
      await onFinish();
    } catch (error) {
      setProblem(describeError(error, "Retiring the due tokens"));
    } finally {
      setBusy(false);
      // The button disables itself (nothing due) or the section goes (nothing waits): to the heading.
      focusNext(() => {
        const button = document.querySelector<HTMLButtonElement>("[data-action=finish-retirements]");
        return button && !button.disabled
          ? button
          : (element("#retirements-heading")() ?? element("#tokens-heading")());
      });
    }
  }

  return (
    <section class="retirements" aria-labelledby="retirements-heading" data-testid="retirements">
      <div class="section-head">
        <h2 id="retirements-heading" tabIndex={-1}>
          Waiting for retirement
        </h2>
        {waiting.length > 0 ? (
          <button
            type="button"
            class="button secondary"
            disabled={!writable || due.length === 0}
            aria-disabled={busy || undefined}
            onClick={finish}
            data-action="finish-retirements"
          >
            {busy ? "Retiring…" : `Retire due tokens (${due.length})`}
          </button>
        ) : null}
      </div>
      {waiting.length > 0 ? (
        <table class="retire-table">
          <caption class="sr-only">Old tokens waiting for retirement, with when each may go</caption>
          <thead>
            <tr>
              <th scope="col">Old token</th>
              <th scope="col">Id</th>
              <th scope="col">Then</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            {waiting
              .sort((a, b) => at(a) - at(b))
              .map((m) => (
                <tr key={m.token.id} data-due={at(m) <= now ? "yes" : "no"}>
                  <td data-label="Old token">{show(m.marker.baseName)}</td>
                  <td data-label="Id">
                    <code>{m.token.id}</code>
                  </td>
                  <td data-label="Then">
                    {m.marker.kind === "retire" && m.marker.action === "delete" ? "deleted" : "disabled"}
                  </td>
                  <td data-label="When">
                    {formatDateTime(new Date(at(m)).toISOString())} {at(m) <= now ? "(due)" : ""}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      ) : null}
      {inFlight.length > 0 ? (
        <p class="muted small" data-testid="in-flight">
          {inFlight.length} replacement{inFlight.length === 1 ? "" : "s"} of unfinished rotations (
          {inFlight.map((m) => m.marker.baseName).join(", ")}): if no rotation is running,{" "}
          <code>dt-tokens cleanup</code> deletes them.
        </p>
      ) : null}
      {problem ? <ProblemBox problem={problem} /> : null}
    </section>
  );
}

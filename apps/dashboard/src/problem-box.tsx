import type { Problem } from "./errors.js";

/** A problem in plain words, announced as an alert. Focusable by script (`tabIndex=-1`) to move focus to it. */
export function ProblemBox({ problem }: { problem: Problem }) {
  return (
    <div role="alert" class="problem" data-testid="problem" tabIndex={-1}>
      <strong>{problem.title}</strong>
      {problem.detail ? <p>{problem.detail}</p> : null}
    </div>
  );
}

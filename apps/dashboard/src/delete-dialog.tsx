import type { ApiToken } from "@dt-tokens/client";
import { useState } from "preact/hooks";
import type { Actions } from "./actions.js";
import { Dialog } from "./dialog.js";
import { describeError, type Problem } from "./errors.js";
import { show } from "./format.js";
import { ProblemBox } from "./problem-box.js";

/** Asks before deleting (Cancel has the focus); the drawer closes once the token is deleted. */
export function DeleteDialog({
  token,
  actions,
  onClose,
}: {
  token: ApiToken;
  actions: Actions;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  async function confirm() {
    if (busy) return;
    setBusy(true);
    setProblem(undefined);
    try {
      await actions.remove(token);
    } catch (error) {
      setProblem(describeError(error, "Deleting the token"));
      setBusy(false);
    }
  }
  return (
    <Dialog title={`Delete “${show(token.name)}”?`} onClose={onClose}>
      <div class="dialog-body" aria-busy={busy}>
        <p>
          <code>{token.id}</code> is deleted for good: anything that uses it stops working, and it cannot be
          restored. Disabling it instead can be undone.
        </p>
        {problem ? <ProblemBox problem={problem} /> : null}
        <div class="dialog-buttons">
          <button type="button" class="button secondary" onClick={onClose} data-autofocus>
            Cancel
          </button>
          <button
            type="button"
            class="button danger"
            aria-disabled={busy || undefined}
            onClick={confirm}
            data-action="confirm-delete"
          >
            {busy ? "Deleting…" : "Delete token"}
          </button>
        </div>
      </div>
    </Dialog>
  );
}

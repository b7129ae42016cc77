/**
 * One dialog for one rotation, from the choices to the outcome: choose, then the new secret (shown
 * once, until the person confirms it is stored or discards it), the check that it works, and what
 * became of the old token. The work is `rotate()` of ./rotation.ts, through `actions.rotate`.
 *
 * Escape and × never destroy: while the secret is shown they ask first (discarding deletes the new
 * token), and while the token is being created or checked they say so and wait (again at every
 * press). Once the rotation has finished, closing the dialog hands its outcome to the caller
 * (`onClose(summary)`), which shows it outside the dialog and puts the focus there: an Escape that
 * closes the dialog right after "Verified" appeared does not lose the news, and a second Enter on
 * Done lands on text, not on a button that starts something new.
 */
import type { ApiToken } from "@dt-tokens/client";
import { useRef, useState } from "preact/hooks";
import type { Actions } from "./actions.js";
import { Dialog } from "./dialog.js";
import { describeError, type Problem } from "./errors.js";
import { element, useFocusNext } from "./focus.js";
import { formatDate, formatDateTime, show } from "./format.js";
import { ProblemBox } from "./problem-box.js";
import {
  lifetimeDays,
  type NewToken,
  type OverlapHours,
  type RevokeChoice,
  type RotateChoice,
  type RotationOutcome,
} from "./rotation.js";

type Phase =
  | { kind: "choose" }
  | { kind: "creating" }
  | { kind: "store"; secret: string; created: NewToken; stored: () => void; discard: () => void }
  | { kind: "undoing" }
  | { kind: "verifying"; created: NewToken }
  | { kind: "done"; created: NewToken; outcome: RotationOutcome; revoke: RevokeChoice }
  | { kind: "failed"; problem: Problem; discarded: boolean };

const DISCARDED = "The new token was discarded before it was stored.";
const UNDONE = "The rotation was undone: the new token was deleted, the old one is unchanged.";

export function RotateDialog({
  token,
  isSelf,
  selfOwner,
  platform,
  actions,
  onClose,
  finishedFocus,
}: {
  token: ApiToken;
  isSelf: boolean;
  selfOwner: string | undefined;
  platform: boolean;
  actions: Actions;
  /**
   * Closes the dialog. `summary`: the rotation has finished (verified, or undone), in one sentence
   * for the page to show; the focus then goes to `finishedFocus`.
   */
  onClose: (summary?: string) => void;
  /** Where the focus goes when the dialog closes after the rotation finished. */
  finishedFocus: () => HTMLElement | null | undefined;
}) {
  const [revoke, setRevoke] = useState<RevokeChoice>("disable");
  const [lifetime, setLifetime] = useState<RotateChoice["lifetime"]>("same");
  const [overlapHours, setOverlapHours] = useState<OverlapHours>(0);
  const [phase, setPhase] = useState<Phase>({ kind: "choose" });
  /**
   * The one live region of the dialog: what is happening now, announced as it changes. Each
   * message is a new node in the region (`n` is its key), so that saying the same thing again (a
   * second Escape while checking) is announced again, not silently left as it was.
   */
  const [status, setStatusState] = useState({ text: "", n: 0 });
  const setStatus = (text: string) => setStatusState((s) => ({ text, n: s.n + 1 }));
  const [problem, setProblem] = useState<Problem>();
  /** Escape or × while the secret is shown: asking whether to discard it. */
  const [asking, setAsking] = useState(false);
  const focusNext = useFocusNext();
  // The token as it was when the rotation started (the drawer switches to the new one at the end).
  const rotating = useRef(token);
  const days = lifetimeDays(token);
  const retired = revoke === "delete" ? "deleted" : "disabled";

  async function submit(event: Event) {
    event.preventDefault();
    if (phase.kind !== "choose") return;
    rotating.current = token;
    setPhase({ kind: "creating" });
    setStatus("Creating the new token…");
    setProblem(undefined);
    let shown = false;
    let discarded = false;
    const choice = { revoke, lifetime, overlapHours: revoke === "keep" ? 0 : overlapHours };
    try {
      const outcome = await actions.rotate(
        token,
        choice,
        (secret, created) =>
          new Promise<void>((resolve, reject) => {
            shown = true;
            setStatus("");
            setPhase({
              kind: "store",
              secret,
              created,
              stored: () => {
                setPhase({ kind: "verifying", created });
                setStatus("Checking that the new token works…");
                focusNext(element("[data-testid=rotation-status]"));
                resolve();
              },
              discard: () => {
                discarded = true;
                setPhase({ kind: "undoing" });
                setStatus("Deleting the new token…");
                focusNext(element("[data-testid=rotation-status]"));
                reject(new Error(DISCARDED));
              },
            });
            focusNext(element("[data-action=copy]"));
          }),
      );
      const created = { id: outcome.created.id!, name: outcome.created.name ?? "" };
      setPhase({ kind: "done", created, outcome, revoke: choice.revoke });
      setStatus(
        `Verified: the new token “${show(created.name)}” (${created.id}) works. ${oldTokenFate(choice.revoke, outcome)}`,
      );
      focusNext(element("[data-action=done]"));
    } catch (error) {
      const described = describeError(error, "Rotating the token");
      if (shown) {
        setPhase({ kind: "failed", problem: described, discarded });
        setStatus("");
        focusNext(element("[data-action=done]"));
      } else {
        // Nothing was created (or it was deleted again before its secret was shown): choose again.
        setPhase({ kind: "choose" });
        setStatus("");
        setProblem(described);
        focusNext(element("[data-rotate-problem] [role=alert]"));
      }
    } finally {
      setAsking(false);
    }
  }

  /** Escape and ×: close when nothing is under way; ask before discarding; otherwise say why not. */
  function requestClose() {
    switch (phase.kind) {
      case "choose":
        return onClose();
      case "done":
        return onClose(
          `Rotated: these are the details of the new token “${show(phase.created.name)}” (${phase.created.id}). ${oldTokenFate(phase.revoke, phase.outcome)}`,
        );
      case "failed":
        return onClose(UNDONE);
      case "creating":
        return setStatus("Still creating the new token: its secret shows here in a moment.");
      case "verifying":
        return setStatus("Still checking that the new token works: the result shows here in a moment.");
      case "undoing":
        return setStatus("Still deleting the new token: the result shows here in a moment.");
      case "store":
        if (asking) return back();
        setAsking(true);
        focusNext(element("[data-action=keep-secret]"));
    }
  }

  function back() {
    setAsking(false);
    focusNext(element("[data-action=copy]"));
  }

  async function copy(secret: string) {
    try {
      await navigator.clipboard.writeText(secret);
      setStatus("Copied to the clipboard.");
    } catch {
      (document.getElementById("new-secret") as HTMLInputElement | null)?.select();
      setStatus("Copying is blocked here: the token is selected, press Ctrl+C (⌘C).");
    }
  }

  const name = show(rotating.current.name);
  const title =
    phase.kind === "choose" || phase.kind === "creating"
      ? `Rotate “${name}”`
      : phase.kind === "store"
        ? "Store the new token now"
        : `Rotation of “${name}”`;

  return (
    <Dialog
      title={title}
      onClose={requestClose}
      testId="rotate-dialog"
      // Finished: to where the page shows the outcome (the button that opened this dialog would start
      // a new rotation on a second Enter). Cancelled: back to that button.
      returnFocus={() => (phase.kind === "done" || phase.kind === "failed" ? finishedFocus() : undefined)}
    >
      {phase.kind === "choose" || phase.kind === "creating" ? (
        <form class="dialog-body" onSubmit={submit} aria-busy={phase.kind === "creating"}>
          <p>
            A new token is created with the same name, scopes and personal flag. Its secret is shown once:
            store it where it is used and confirm; the dashboard then checks that it works before it touches
            the old token. {isSelf ? " This page switches to the new token." : ""}
          </p>
          {selfOwner && token.owner !== selfOwner ? (
            <p class="note" data-testid="owner-note">
              The new token will belong to <strong>{show(selfOwner)}</strong>, not {show(token.owner)}:
              Dynatrace gives a new token the owner of the token that creates it. To keep the owner, rotate
              with a token of {show(token.owner)}.
            </p>
          ) : null}
          {platform ? (
            <p class="note" data-testid="owner-note">
              The new token will belong to the user of the platform token this page is signed in with, which
              may not be {show(token.owner)}: Dynatrace gives a new token the owner of the credential that
              creates it.
            </p>
          ) : null}
          <fieldset>
            <legend>The old token</legend>
            {(
              [
                ["disable", "Disable it (can be undone)"],
                ["delete", "Delete it"],
                ["keep", "Keep it active (revoke it yourself later)"],
              ] as const
            ).map(([value, label], i) => (
              <label key={value} class="choice">
                <input
                  type="radio"
                  name="revoke"
                  value={value}
                  checked={revoke === value}
                  onChange={() => setRevoke(value)}
                  data-autofocus={i === 0 ? "" : undefined}
                />
                {label}
              </label>
            ))}
          </fieldset>
          <label class="field">
            <span>Keep the old token working</span>
            <select
              value={String(overlapHours)}
              disabled={revoke === "keep"}
              data-testid="overlap"
              onChange={(e) => setOverlapHours(Number(e.currentTarget.value) as OverlapHours)}
            >
              <option value="0">no: retire it once the new one works</option>
              <option value="1">for 1 hour</option>
              <option value="24">for 24 hours</option>
              <option value="168">for 7 days</option>
            </select>
          </label>
          {overlapHours > 0 && revoke !== "keep" ? (
            <p class="muted small" data-testid="overlap-note">
              The old token is marked in Dynatrace with the time it may go, and listed under “Waiting for
              retirement” until then. “Retire due tokens” there (or <code>dt-tokens rotate --finish</code>,
              from anywhere) {revoke === "delete" ? "deletes" : "disables"} it.
            </p>
          ) : null}
          <label class="field">
            <span>The new token expires</span>
            <select
              value={String(lifetime)}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setLifetime(v === "same" ? "same" : (Number(v) as 30 | 90 | 365));
              }}
            >
              <option value="same">
                {days ? `after ${days} days, like the old one` : "never, like the old one"}
              </option>
              <option value="30">in 30 days</option>
              <option value="90">in 90 days</option>
              <option value="365">in 1 year</option>
            </select>
          </label>
          <div data-rotate-problem>{problem ? <ProblemBox problem={problem} /> : null}</div>
          <p role="status" class="muted" data-testid="rotation-status" tabIndex={-1}>
            {status.text ? <span key={status.n}>{status.text}</span> : null}
          </p>
          <div class="dialog-buttons">
            <button type="button" class="button secondary" onClick={requestClose}>
              Cancel
            </button>
            <button
              type="submit"
              class="button primary"
              aria-disabled={phase.kind === "creating" || undefined}
              data-action="confirm-rotate"
            >
              {phase.kind === "creating" ? "Rotating…" : "Rotate"}
            </button>
          </div>
        </form>
      ) : (
        <div class="dialog-body" data-testid="secret-dialog" data-phase={phase.kind}>
          {phase.kind === "store" ? (
            <>
              <p>
                <strong>Store it now: it is shown only this once.</strong> “{show(phase.created.name)}” (
                <code>{phase.created.id}</code>)
                {phase.created.expirationDate
                  ? `, expires ${formatDate(phase.created.expirationDate)}.`
                  : ", never expires."}{" "}
                Put it where the old token is used, then confirm: the old token is left alone until the new
                one is verified.
              </p>
              <label class="field">
                <span>New token</span>
                <input
                  id="new-secret"
                  class="secret"
                  readOnly
                  value={phase.secret}
                  spellcheck={false}
                  autocomplete="off"
                  onFocus={(e) => e.currentTarget.select()}
                />
              </label>
              <div class="dialog-buttons start">
                <button
                  type="button"
                  class="button primary"
                  onClick={() => copy(phase.secret)}
                  data-action="copy"
                >
                  Copy
                </button>
              </div>
            </>
          ) : null}
          <p role="status" class="status-line" data-testid="rotation-status" tabIndex={-1}>
            {status.text ? <span key={status.n}>{status.text}</span> : null}
          </p>
          {phase.kind === "done" ? <DoneText created={phase.created} outcome={phase.outcome} /> : null}
          <div role="alert" class="alert-slot">
            {phase.kind === "failed" ? (
              <div class="problem">
                <strong>{UNDONE}</strong>
                {phase.discarded ? null : (
                  <p>
                    {phase.problem.title} {phase.problem.detail}
                  </p>
                )}
              </div>
            ) : null}
            {phase.kind === "done" && phase.outcome.retireError ? (
              <div class="problem">
                <strong>The old token is still active: it could not be {retired}.</strong>
                <p>
                  {describeError(phase.outcome.retireError, "Retiring the old token").title}{" "}
                  {describeError(phase.outcome.retireError, "Retiring the old token").detail}
                </p>
              </div>
            ) : null}
          </div>
          {phase.kind === "store" && asking ? (
            <div class="ask" data-testid="ask-discard">
              <p id="ask-discard">
                <strong>Discard the new token?</strong> You have not confirmed that you stored it. Discarding
                deletes “{show(phase.created.name)}” (<code>{phase.created.id}</code>): anything you already
                gave it stops working. The old token stays as it is.
              </p>
              <div class="dialog-buttons">
                <button type="button" class="button secondary" onClick={back} data-action="keep-secret">
                  Back to the new token
                </button>
                <button type="button" class="button danger" onClick={phase.discard} data-action="discard">
                  Discard the new token
                </button>
              </div>
            </div>
          ) : null}
          {phase.kind === "store" && !asking ? (
            <div class="dialog-buttons">
              <button type="button" class="button secondary" onClick={phase.discard} data-action="discard">
                Discard the new token
              </button>
              <button type="button" class="button primary" onClick={phase.stored} data-action="stored">
                I have stored it
              </button>
            </div>
          ) : null}
          {phase.kind === "done" || phase.kind === "failed" ? (
            <div class="dialog-buttons">
              <button type="button" class="button secondary" onClick={requestClose} data-action="done">
                Done
              </button>
            </div>
          ) : null}
        </div>
      )}
    </Dialog>
  );
}

/** What became of the old token, in one sentence. */
function oldTokenFate(revoke: RevokeChoice, outcome: RotationOutcome): string {
  const retired = revoke === "delete" ? "deleted" : "disabled";
  if (outcome.retireError) return `The old token is still active: it could not be ${retired}.`;
  if (revoke === "keep") return "The old token is still active, as asked.";
  if (outcome.retireAt)
    return `The old token keeps working until ${formatDateTime(outcome.retireAt.toISOString())}; then it will be ${retired}.`;
  return `The old token was ${retired}.`;
}

function DoneText({ created, outcome }: { created: NewToken; outcome: RotationOutcome }) {
  return (
    <p class="muted small">
      The details behind this dialog now show the new token (<code>{created.id}</code>)
      {outcome.created.expirationDate
        ? `, which expires ${formatDate(outcome.created.expirationDate)}.`
        : ", which never expires."}
    </p>
  );
}

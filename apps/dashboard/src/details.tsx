import type { ApiToken } from "@dt-tokens/client";
import { useState } from "preact/hooks";
import { Dialog } from "./dialog.js";
import { describeError, type Problem } from "./errors.js";
import { formatAgo, formatDate, formatDateTime, formatRelative, show } from "./format.js";
import { DAY, STATES, statesOf } from "./stats.js";

export type RevokeChoice = "disable" | "delete" | "keep";
export interface RotateChoice {
  revoke: RevokeChoice;
  /** Days the new token lives; `"same"` keeps the old token's lifetime (creation to expiry). */
  lifetime: "same" | 30 | 90 | 365;
  /** Hours the old token keeps working before it is retired (0: as soon as the new one is verified). */
  overlapHours: OverlapHours;
}

export type OverlapHours = 0 | 1 | 24 | 168;

export interface Actions {
  setEnabled(token: ApiToken, enabled: boolean): Promise<void>;
  rotate(token: ApiToken, choice: RotateChoice): Promise<void>;
  remove(token: ApiToken): Promise<void>;
}

const KNOWN = [
  "name",
  "id",
  "owner",
  "enabled",
  "personalAccessToken",
  "creationDate",
  "modifiedDate",
  "expirationDate",
  "lastUsedDate",
  "lastUsedIpAddress",
  "scopes",
  "additionalMetadata",
];

/** The old token's lifetime in days (creation to expiry), or undefined when it never expires. */
export function lifetimeDays(token: ApiToken): number | undefined {
  if (!token.expirationDate || !token.creationDate) return undefined;
  return Math.max(1, Math.round((Date.parse(token.expirationDate) - Date.parse(token.creationDate)) / DAY));
}

export function Details({
  token,
  now,
  isSelf,
  selfOwner,
  platform,
  writable,
  actions,
  onClose,
}: {
  token: ApiToken;
  now: number;
  isSelf: boolean;
  /** Owner of the token this page uses: Dynatrace makes it the owner of every token it creates. */
  selfOwner: string | undefined;
  /** The page uses a platform token: new tokens belong to its user, whom this API does not name. */
  platform: boolean;
  writable: boolean;
  actions: Actions;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const [dialog, setDialog] = useState<"rotate" | "delete">();
  const [notice, setNotice] = useState("");
  const enabled = token.enabled !== false;

  async function toggle() {
    setBusy(true);
    setProblem(undefined);
    setNotice("");
    try {
      await actions.setEnabled(token, !enabled);
      setNotice(enabled ? "Disabled. Requests with this token now fail." : "Enabled again.");
    } catch (error) {
      setProblem(describeError(error, enabled ? "Disabling the token" : "Enabling the token"));
    } finally {
      setBusy(false);
    }
  }

  const why = !writable
    ? "The token this page uses lacks the apiTokens.write scope, so tokens can be viewed but not changed."
    : platform
      ? "Changes need the platform token's scope environment-api:api-tokens:write; without it they are refused."
      : isSelf
        ? "This is the token this page is signed in with: it cannot disable or delete itself. Rotating it switches this page to the new token."
        : "";

  const field = (label: string, value: preact.ComponentChildren, key: string) => (
    <div class="kv" data-field={key}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
  /** `past`: a creation, change or use, which a server clock a little ahead cannot put in the future. */
  const date = (d: string | undefined, none: string, past = true) =>
    d ? (
      <>
        <time dateTime={d}>{formatDate(d)}</time>{" "}
        <span class="muted">({past ? formatAgo(d, now) : formatRelative(d, now)})</span>
      </>
    ) : (
      <span class="muted">{none}</span>
    );
  const extra = Object.entries(token).filter(([k]) => !KNOWN.includes(k));

  return (
    <Dialog
      title={show(token.name, "(no name)")}
      onClose={onClose}
      variant="drawer"
      fallbackFocus="#tokens-heading"
    >
      <div class="drawer-body" data-testid="details" aria-busy={busy}>
        <p class="states">
          {statesOf(token, now).map((s) => (
            <span key={s} class="badge plain">
              {STATES.find((x) => x.key === s)?.label}
            </span>
          ))}
        </p>
        <div class="actions">
          <button
            type="button"
            class="button"
            data-action="toggle"
            disabled={busy || !writable || (isSelf && enabled)}
            onClick={toggle}
          >
            {enabled ? "Disable" : "Enable"}
          </button>
          <button
            type="button"
            class="button"
            data-action="rotate"
            disabled={busy || !writable}
            onClick={() => setDialog("rotate")}
          >
            Rotate…
          </button>
          <button
            type="button"
            class="button danger"
            data-action="delete"
            disabled={busy || !writable || isSelf}
            onClick={() => setDialog("delete")}
          >
            Delete…
          </button>
        </div>
        {why ? <p class="note">{why}</p> : null}
        <div role="status" class="notice" data-testid="details-notice">
          {notice}
        </div>
        {problem ? <ProblemBox problem={problem} /> : null}
        <dl class="fields">
          {field("Name", show(token.name), "name")}
          {field("ID", <code>{token.id}</code>, "id")}
          {field("Owner", show(token.owner), "owner")}
          {field("Enabled", enabled ? "yes" : "no", "enabled")}
          {field("Personal access token", token.personalAccessToken ? "yes" : "no", "personalAccessToken")}
          {field("Created", date(token.creationDate, "unknown"), "creationDate")}
          {field("Modified", date(token.modifiedDate, "never modified"), "modifiedDate")}
          {field("Expires", date(token.expirationDate, "never expires", false), "expirationDate")}
          {field("Last used", date(token.lastUsedDate, "never used"), "lastUsedDate")}
          {field(
            "Last used from",
            token.lastUsedIpAddress ?? <span class="muted">—</span>,
            "lastUsedIpAddress",
          )}
          {field(
            `Scopes (${token.scopes?.length ?? 0})`,
            <ul class="scope-list">
              {(token.scopes ?? []).map((s) => (
                <li key={s}>
                  <code>{s}</code>
                </li>
              ))}
            </ul>,
            "scopes",
          )}
          {field(
            "Additional metadata",
            token.additionalMetadata && Object.keys(token.additionalMetadata).length ? (
              <pre>{JSON.stringify(token.additionalMetadata, null, 2)}</pre>
            ) : (
              <span class="muted">none</span>
            ),
            "additionalMetadata",
          )}
          {extra.map(([k, v]) => field(k, <pre>{JSON.stringify(v, null, 2)}</pre>, k))}
        </dl>
      </div>
      {dialog === "rotate" ? (
        <RotateDialog
          token={token}
          isSelf={isSelf}
          selfOwner={selfOwner}
          platform={platform}
          actions={actions}
          onClose={() => setDialog(undefined)}
        />
      ) : null}
      {dialog === "delete" ? (
        <DeleteDialog token={token} actions={actions} onClose={() => setDialog(undefined)} />
      ) : null}
    </Dialog>
  );
}

export function ProblemBox({ problem }: { problem: Problem }) {
  return (
    <div role="alert" class="problem" data-testid="problem">
      <strong>{problem.title}</strong>
      {problem.detail ? <p>{problem.detail}</p> : null}
    </div>
  );
}

function RotateDialog({
  token,
  isSelf,
  selfOwner,
  platform,
  actions,
  onClose,
}: {
  token: ApiToken;
  isSelf: boolean;
  selfOwner: string | undefined;
  platform: boolean;
  actions: Actions;
  onClose: () => void;
}) {
  const [revoke, setRevoke] = useState<RevokeChoice>("disable");
  const [lifetime, setLifetime] = useState<RotateChoice["lifetime"]>("same");
  const [overlapHours, setOverlapHours] = useState<OverlapHours>(0);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const days = lifetimeDays(token);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await actions.rotate(token, { revoke, lifetime, overlapHours: revoke === "keep" ? 0 : overlapHours });
      onClose();
    } catch (error) {
      setProblem(describeError(error, "Rotating the token"));
      setBusy(false);
    }
  }

  return (
    <Dialog title={`Rotate “${show(token.name)}”`} onClose={onClose}>
      <form class="dialog-body" onSubmit={submit} aria-busy={busy}>
        <p>
          A new token is created with the same name, scopes and personal flag. Its secret is shown once: store
          it where it is used and confirm; the dashboard then checks that it works before it touches the old
          token. {isSelf ? " This page switches to the new token." : ""}
        </p>
        {selfOwner && token.owner !== selfOwner ? (
          <p class="note" data-testid="owner-note">
            The new token will belong to <strong>{show(selfOwner)}</strong>, not {show(token.owner)}:
            Dynatrace gives a new token the owner of the token that creates it. To keep the owner, rotate with
            a token of {show(token.owner)}.
          </p>
        ) : null}
        {platform ? (
          <p class="note" data-testid="owner-note">
            The new token will belong to the user of the platform token this page is signed in with, which may
            not be {show(token.owner)}: Dynatrace gives a new token the owner of the credential that creates
            it.
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
            <option value="0">no: retire it once the new one is verified</option>
            <option value="1">for 1 hour</option>
            <option value="24">for 24 hours</option>
            <option value="168">for 7 days</option>
          </select>
        </label>
        {overlapHours > 0 && revoke !== "keep" ? (
          <p class="muted small" data-testid="overlap-note">
            The old token is marked in Dynatrace with the time it may go, and listed under “Waiting for
            retirement” until then. “Retire due tokens” there (or <code>dt-tokens rotate --finish</code>, from
            anywhere) {revoke === "delete" ? "deletes" : "disables"} it.
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
        {problem ? <ProblemBox problem={problem} /> : null}
        <div class="dialog-buttons">
          <button type="button" class="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={busy} data-action="confirm-rotate">
            {busy ? "Rotating…" : "Rotate"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteDialog({
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
            disabled={busy}
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

export interface NewSecret {
  name: string;
  id: string;
  /** The secret: only while it is to be stored (phase "store"); dropped as soon as it is confirmed. */
  token?: string;
  expirationDate: string | undefined;
  /** store: shown, waiting for the person; verifying; done; failed (rolled back). */
  phase: "store" | "verifying" | "done" | "failed";
  revoke: RevokeChoice;
  /** When the old token may be retired (an overlap). */
  retireAt?: string;
  /** Set when the old token could not be retired as asked. */
  revokeProblem?: Problem;
  /** Why the rotation failed (phase "failed"). */
  problem?: Problem;
  /** The person stored the secret: verify, then retire. */
  stored?: () => void;
  /** The person gives up: the new token is deleted, the old one stays as it is. */
  discard?: () => void;
}

/**
 * Shows a new secret once, with a copy button, until the person confirms it is stored (or discards
 * it); then the verification and what became of the old token. The secret lives only in this
 * dialog's props, and only until it is confirmed.
 */
export function SecretDialog({ secret, onClose }: { secret: NewSecret; onClose: () => void }) {
  const [copied, setCopied] = useState("");
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret.token ?? "");
      setCopied("Copied to the clipboard.");
    } catch {
      (document.getElementById("new-secret") as HTMLInputElement | null)?.select();
      setCopied("Copying is blocked here: the token is selected, press Ctrl+C (⌘C).");
    }
  }
  const storing = secret.phase === "store";
  const retired = secret.revoke === "delete" ? "deleted" : "disabled";
  return (
    <Dialog
      title={storing ? "Store the new token now" : "Rotation"}
      onClose={storing ? (secret.discard ?? onClose) : secret.phase === "verifying" ? () => {} : onClose}
    >
      <div class="dialog-body" data-testid="secret-dialog" data-phase={secret.phase}>
        {storing ? (
          <>
            <p>
              <strong>Store it now: it is shown only this once.</strong> “{show(secret.name)}” (
              <code>{secret.id}</code>)
              {secret.expirationDate ? `, expires ${formatDate(secret.expirationDate)}.` : ", never expires."}{" "}
              Put it where the old token is used, then confirm: the old token is left alone until the new one
              is verified.
            </p>
            <label class="field">
              <span>New token</span>
              <input
                id="new-secret"
                class="secret"
                readOnly
                value={secret.token}
                spellcheck={false}
                autocomplete="off"
                onFocus={(e) => e.currentTarget.select()}
              />
            </label>
            <div class="dialog-buttons start">
              <button type="button" class="button primary" onClick={copy} data-autofocus data-action="copy">
                Copy
              </button>
              <span role="status" class="muted">
                {copied}
              </span>
            </div>
            <div class="dialog-buttons">
              <button type="button" class="button secondary" onClick={secret.discard} data-action="discard">
                Discard the new token
              </button>
              <button type="button" class="button primary" onClick={secret.stored} data-action="stored">
                I have stored it
              </button>
            </div>
          </>
        ) : null}
        {secret.phase === "verifying" ? <p role="status">Checking that the new token works…</p> : null}
        {secret.phase === "failed" ? (
          <div role="alert" class="problem">
            <strong>The rotation was undone: the new token was deleted, the old one is unchanged.</strong>
            {secret.problem ? (
              <p>
                {secret.problem.title} {secret.problem.detail}
              </p>
            ) : null}
          </div>
        ) : null}
        {secret.phase === "done" ? (
          <>
            <p role="status">
              <strong>Verified:</strong> the new token “{show(secret.name)}” (<code>{secret.id}</code>) works.
            </p>
            {secret.revokeProblem ? (
              <div role="alert" class="problem">
                <strong>The old token is still active: it could not be {retired}.</strong>
                <p>
                  {secret.revokeProblem.title} {secret.revokeProblem.detail}
                </p>
              </div>
            ) : (
              <p class="muted">
                {secret.revoke === "keep"
                  ? "The old token is still active, as asked."
                  : secret.retireAt
                    ? `The old token keeps working until ${formatDateTime(secret.retireAt)}; then it will be ${retired}.`
                    : `The old token was ${retired}.`}
              </p>
            )}
          </>
        ) : null}
        {secret.phase === "done" || secret.phase === "failed" ? (
          <div class="dialog-buttons">
            <button type="button" class="button secondary" onClick={onClose} data-autofocus>
              Done
            </button>
          </div>
        ) : null}
      </div>
    </Dialog>
  );
}

/**
 * The details drawer of one token: every field the API returns, and the actions (disable or enable,
 * rotate, delete). It stays open through a rotation and then shows the new token.
 */
import type { ApiToken } from "@dt-tokens/client";
import { useState } from "preact/hooks";
import type { Actions } from "./actions.js";
import { DeleteDialog } from "./delete-dialog.js";
import { Dialog } from "./dialog.js";
import { describeError, type Problem } from "./errors.js";
import { formatAgo, formatDate, formatRelative, show } from "./format.js";
import { ProblemBox } from "./problem-box.js";
import { RotateDialog } from "./rotate-dialog.js";
import { STATES, statesOf } from "./stats.js";

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
    if (busy) return;
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
      // Back to this token's row (after a rotation: the new token's), or the table's heading.
      returnFocus={() =>
        document.querySelector<HTMLElement>(
          `.token-table tr[data-id="${CSS.escape(token.id ?? "")}"] .name-text`,
        ) ?? document.getElementById("tokens-heading")
      }
      testId="details-drawer"
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
            // aria-disabled while busy: a disabled button would drop the focus to the page.
            disabled={!writable || (isSelf && enabled)}
            aria-disabled={busy || undefined}
            onClick={toggle}
          >
            {enabled ? "Disable" : "Enable"}
          </button>
          <button
            type="button"
            class="button"
            data-action="rotate"
            disabled={!writable}
            aria-disabled={busy || undefined}
            onClick={() => {
              if (busy) return;
              setNotice("");
              setProblem(undefined);
              setDialog("rotate");
            }}
          >
            Rotate…
          </button>
          <button
            type="button"
            class="button danger"
            data-action="delete"
            disabled={!writable || isSelf}
            aria-disabled={busy || undefined}
            onClick={() => busy || setDialog("delete")}
          >
            Delete…
          </button>
        </div>
        {why ? <p class="note">{why}</p> : null}
        {/* Focusable: after a rotation the focus lands here, on what happened (see RotateDialog). */}
        <div role="status" class="notice" data-testid="details-notice" tabIndex={-1}>
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
          onClose={(summary) => {
            setDialog(undefined);
            if (summary) setNotice(summary);
          }}
          finishedFocus={() => document.querySelector<HTMLElement>("[data-testid=details-notice]")}
        />
      ) : null}
      {dialog === "delete" ? (
        <DeleteDialog token={token} actions={actions} onClose={() => setDialog(undefined)} />
      ) : null}
    </Dialog>
  );
}

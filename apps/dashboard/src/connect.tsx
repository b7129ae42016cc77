import { useLayoutEffect, useState } from "preact/hooks";
import { describeError, type Problem } from "./errors.js";
import { element, useFocusNext } from "./focus.js";
import { ProblemBox } from "./problem-box.js";
import { connect, type Session } from "./session.js";

/**
 * Environment URL and token. The inputs have no `name`, the form no action, and the page's CSP has
 * `form-action 'none'`: even without JavaScript the token can never end up in a URL.
 */
export function ConnectForm({
  initialUrl,
  notice,
  onConnected,
}: {
  initialUrl: string;
  /** Said (and announced) above the form, e.g. after Disconnect; the token field then has the focus. */
  notice: string;
  onConnected: (session: Session) => void;
}) {
  const [url, setUrl] = useState(initialUrl);
  const [token, setToken] = useState("");
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const focusNext = useFocusNext();
  useLayoutEffect(() => {
    if (notice) document.getElementById("connect-token")?.focus();
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setProblem(undefined);
    try {
      const session = await connect(url, token, remember);
      setToken("");
      onConnected(session);
    } catch (error) {
      setProblem(describeError(error, "Connecting"));
      setBusy(false);
      // The problem has the focus: read out at once, and the fields are one Shift+Tab away.
      focusNext(element("[data-testid=connect-form] [role=alert]"));
    }
  }

  return (
    <main class="connect">
      <h1>API tokens dashboard</h1>
      <p role="status" class="notice" data-testid="connect-notice">
        {notice}
      </p>
      <p class="lead">
        Every API token of a Dynatrace environment at a glance: which are stale, expiring or over-scoped, with
        the actions to fix them.
      </p>
      <form onSubmit={submit} aria-busy={busy} data-testid="connect-form" autocomplete="off">
        <label class="field">
          <span>Environment URL</span>
          <input
            type="url"
            required
            value={url}
            placeholder="https://abc12345.live.dynatrace.com"
            onInput={(e) => setUrl(e.currentTarget.value)}
            spellcheck={false}
            autocomplete="url"
            data-testid="environment-url"
          />
        </label>
        <label class="field">
          <span>API token or platform token</span>
          <input
            id="connect-token"
            type="password"
            required
            value={token}
            placeholder="dt0c01.… or dt0s16.…"
            onInput={(e) => setToken(e.currentTarget.value)}
            spellcheck={false}
            autocomplete="off"
            aria-describedby="token-help"
            data-testid="token"
          />
        </label>
        <p id="token-help" class="muted small">
          Classic API token (<code>dt0c01.…</code>): <code>apiTokens.read</code> to see tokens,{" "}
          <code>apiTokens.write</code> to change them.
          <br />
          Platform token (<code>dt0s16.…</code>, for <code>https://&lt;env-id&gt;.apps.dynatrace.com</code>):{" "}
          <code>environment-api:api-tokens:read</code> and <code>:write</code>.
          <br />
          The token stays in this tab's memory and is sent only to the environment above.
        </p>
        <label class="choice">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
          Keep me connected in this tab (the token is kept in sessionStorage until the tab closes)
        </label>
        {problem ? <ProblemBox problem={problem} /> : null}
        <button type="submit" class="button primary" aria-disabled={busy || undefined}>
          {busy ? "Connecting…" : "Connect"}
        </button>
      </form>
    </main>
  );
}

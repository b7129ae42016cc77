import { API_TOKEN_FIELDS, type ApiToken, finishRetirements, LIST_PAGE_SIZE } from "@dt-tokens/client";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Actions } from "./actions.js";
import { ActiveGateView } from "./activegate-view.js";
import { ConnectForm } from "./connect.js";
import { Details } from "./details.js";
import { describeError, type Problem } from "./errors.js";
import { formatCount, show } from "./format.js";
import { Overview } from "./overview.js";
import { ProblemBox } from "./problem-box.js";
import { type Filters, NO_FILTERS } from "./query.js";
import { Retirements } from "./retirements.js";
import { rotate } from "./rotation.js";
import { canWrite, connect, forget, remembered, type Session, selfTokenId, WRITE_SCOPE } from "./session.js";
import type { StateKey } from "./stats.js";
import { TokenTable } from "./table.js";

/** Every field, so the overview and the details need no second request. */
const FIELDS = [...API_TOKEN_FIELDS];
/** Dynatrace's default page size: a large environment shows its progress page by page. */
const PAGE_SIZE = LIST_PAGE_SIZE.default;

/** The environment an API base belongs to: the base without its `/api/v2` or platform prefix. */
const environmentOf = (baseUrl: string) =>
  baseUrl.replace(/\/(?:api|platform\/classic\/environment-api)\/v2$/, "");

export function App() {
  const [session, setSession] = useState<Session>();
  const [restoring, setRestoring] = useState(() => remembered() !== undefined);
  const [restoreProblem, setRestoreProblem] = useState<Problem>();
  /** After Disconnect: the environment URL stays filled in, the token field has the focus. */
  const [left, setLeft] = useState<string>();

  useEffect(() => {
    const kept = remembered();
    if (!kept) return;
    connect(kept.environmentUrl, kept.token, true)
      .then(setSession, (error) => {
        forget();
        setRestoreProblem(describeError(error, "Reconnecting"));
      })
      .finally(() => setRestoring(false));
  }, []);

  if (session)
    return (
      <Dashboard
        session={session}
        onDisconnect={() => {
          forget();
          setLeft(session.environmentUrl);
          setSession(undefined);
        }}
      />
    );
  if (restoring)
    return (
      <main class="connect" aria-busy="true">
        <p role="status">Reconnecting…</p>
      </main>
    );
  return (
    <>
      {restoreProblem ? <ProblemBox problem={restoreProblem} /> : null}
      <ConnectForm
        initialUrl={left ?? import.meta.env.VITE_DT_ENVIRONMENT_URL ?? ""}
        notice={left === undefined ? "" : "Disconnected: the token was forgotten."}
        onConnected={setSession}
      />
    </>
  );
}

/** The two views of the dashboard, each with its address (a hash, so Back returns to the other). */
const VIEWS = {
  api: { hash: "#api-tokens", title: "API tokens" },
  activegate: { hash: "#activegate-tokens", title: "ActiveGate tokens" },
} as const;
type View = keyof typeof VIEWS;
const viewOf = (hash: string): View => (hash === VIEWS.activegate.hash ? "activegate" : "api");

interface Progress {
  loaded: number;
  total: number | undefined;
  done: boolean;
}

function Dashboard({ session, onDisconnect }: { session: Session; onDisconnect: () => void }) {
  const { client } = session;
  const [tokens, setTokens] = useState<ApiToken[]>([]);
  const [progress, setProgress] = useState<Progress>({ loaded: 0, total: undefined, done: false });
  const [problem, setProblem] = useState<Problem>();
  const [now, setNow] = useState(() => Date.now());
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  /** The token in the details drawer; `opened` counts openings, so that each opening starts afresh. */
  const [selected, setSelected] = useState<{ id: string; opened: number }>();
  const [status, setStatus] = useState("");
  const [selfId, setSelfId] = useState(selfTokenId(session.identity));
  const loading = useRef<AbortController>(undefined);
  const [view, setView] = useState<View>(() => viewOf(location.hash));
  /** The ActiveGate view is loaded the first time it is shown, then kept (hidden) like the API view. */
  const [agShown, setAgShown] = useState(view === "activegate");
  const [agReloads, setAgReloads] = useState(0);

  // Signed in: the focus goes to the page's heading (the connect form it was on is gone).
  useLayoutEffect(() => document.getElementById("dashboard-heading")?.focus(), []);

  // The view follows the address: the nav links, Back and Forward. The heading (which names the view)
  // takes the focus, so a keyboard or screen-reader user lands at the start of the view they chose.
  useEffect(() => {
    const follow = () => {
      const next = viewOf(location.hash);
      setView(next);
      if (next === "activegate") setAgShown(true);
      requestAnimationFrame(() => document.getElementById("dashboard-heading")?.focus());
    };
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);

  const load = useCallback(async () => {
    loading.current?.abort();
    const controller = new AbortController();
    loading.current = controller;
    setProblem(undefined);
    setNow(Date.now());
    setProgress({ loaded: 0, total: undefined, done: false });
    setStatus("Loading tokens…");
    const all: ApiToken[] = [];
    try {
      const pages = client
        .listAll({ fields: FIELDS, pageSize: PAGE_SIZE }, { signal: controller.signal })
        .pages();
      for await (const page of pages) {
        all.push(...page.apiTokens);
        setTokens([...all]);
        setProgress({ loaded: all.length, total: page.totalCount, done: false });
      }
      setProgress({ loaded: all.length, total: all.length, done: true });
      setStatus(`Loaded ${formatCount(all.length)} token${all.length === 1 ? "" : "s"}.`);
    } catch (error) {
      if (!controller.signal.aborted) {
        setProblem(describeError(error, "Loading the tokens"));
        setStatus("");
      }
    }
  }, [client]);

  useEffect(() => {
    load();
    return () => loading.current?.abort();
  }, [load]);

  const replace = (token: ApiToken) => setTokens((ts) => ts.map((t) => (t.id === token.id ? token : t)));
  const refresh = async (id: string) => {
    try {
      replace(await client.get(id));
    } catch {
      // the change itself succeeded; the row keeps the local update until the next reload
    }
  };

  const actions: Actions = {
    async setEnabled(token, enabled) {
      await client.update(token.id!, { enabled });
      replace({ ...token, enabled });
      setStatus(`${enabled ? "Enabled" : "Disabled"} “${show(token.name)}”.`);
      await refresh(token.id!);
    },
    async remove(token) {
      await client.delete(token.id!);
      setTokens((ts) => ts.filter((t) => t.id !== token.id));
      setSelected(undefined);
      setStatus(`Deleted “${show(token.name)}”.`);
    },
    async rotate(token, choice, deliver) {
      const outcome = await rotate(client, token, choice, token.id === selfTokenId(session.identity), {
        deliver,
        switchTo(secret, self) {
          session.useSecret(secret, self);
          setSelfId(self.id);
        },
      });
      const { created, previous } = outcome;
      setTokens((ts) => [
        created,
        ...ts.flatMap((t) => (t.id !== token.id ? [t] : previous ? [previous] : [])),
      ]);
      // The drawer stays open and shows the new token (the rotate dialog on top says how it went).
      setSelected((s) => (s && s.id === token.id ? { ...s, id: created.id! } : s));
      return outcome;
    },
  };

  const finishDue = async () => {
    const outcomes = await finishRetirements(client);
    const done = outcomes.filter((o) => o.status === "done").length;
    const failed = outcomes.filter((o) => o.status === "failed");
    await load();
    setStatus(`Retired ${done} token${done === 1 ? "" : "s"}.`);
    if (failed.length) throw failed[0]!.error;
  };

  const pick = (state: StateKey) => {
    setFilters(state === "personal" ? { ...NO_FILTERS, personal: "yes" } : { ...NO_FILTERS, state });
    const heading = document.getElementById("tokens-heading");
    heading?.scrollIntoView({ block: "start" });
    heading?.focus({ preventScroll: true });
  };

  const token = selected ? tokens.find((t) => t.id === selected.id) : undefined;
  const { identity } = session;
  const writable = canWrite(identity);
  const pct = progress.total ? Math.round((progress.loaded / progress.total) * 100) : 0;

  return (
    <div class="shell" data-state={progress.done ? "ready" : problem ? "error" : "loading"}>
      <header class="topbar">
        <div>
          <h1 id="dashboard-heading" tabIndex={-1}>
            {VIEWS[view].title}
          </h1>
          <p class="muted small">
            <span data-testid="environment">{environmentOf(client.baseUrl)}</span> ·{" "}
            <span data-testid="signed-in-as">
              {identity.kind === "api-token"
                ? `signed in as “${show(identity.token.name)}” (${show(identity.token.owner)})${writable ? "" : " · read-only"}`
                : `signed in with platform token ${identity.publicId} · changes need ${WRITE_SCOPE["platform-token"]}`}
            </span>
          </p>
        </div>
        <div class="topbar-actions">
          <button
            type="button"
            class="button secondary"
            onClick={() => (view === "activegate" ? setAgReloads((n) => n + 1) : load())}
          >
            Reload
          </button>
          <button type="button" class="button secondary" onClick={onDisconnect}>
            Disconnect
          </button>
        </div>
      </header>
      <nav class="views" aria-label="Token views">
        <ul>
          {(Object.keys(VIEWS) as View[]).map((v) => (
            <li key={v}>
              <a href={VIEWS[v].hash} aria-current={v === view ? "page" : undefined}>
                {VIEWS[v].title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        {agShown ? (
          <div hidden={view !== "activegate"}>
            <ActiveGateView session={session} reloads={agReloads} />
          </div>
        ) : null}
        <div hidden={view !== "api"} data-testid="api-view">
          {progress.done || problem ? null : (
            <div class="progress" data-testid="progress">
              <label for="load-progress">
                Loading tokens: {formatCount(progress.loaded)}
                {progress.total === undefined ? "" : ` of ${formatCount(progress.total)}`}
              </label>
              <progress id="load-progress" max={100} value={pct} />
            </div>
          )}
          {problem ? <ProblemBox problem={problem} /> : null}
          <div role="status" class="sr-only" data-testid="page-status">
            {status}
          </div>
          <Overview tokens={tokens} now={now} complete={progress.done} onPick={pick} />
          <Retirements tokens={tokens} now={now} writable={writable} onFinish={finishDue} />
          <TokenTable
            tokens={tokens}
            now={now}
            filters={filters}
            setFilters={setFilters}
            selfId={selfId}
            onOpen={(id) => setSelected((s) => ({ id, opened: (s?.opened ?? 0) + 1 }))}
          />
        </div>
      </main>
      {token ? (
        <Details
          key={selected?.opened}
          token={token}
          now={now}
          isSelf={token.id === selfId}
          selfOwner={identity.kind === "api-token" ? identity.token.owner : undefined}
          platform={identity.kind === "platform-token"}
          writable={writable}
          actions={actions}
          onClose={() => setSelected(undefined)}
        />
      ) : null}
    </div>
  );
}

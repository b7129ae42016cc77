import { API_TOKEN_FIELDS, type ApiToken, type RotateResult } from "@dt-tokens/client";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ConnectForm } from "./connect.js";
import { type Actions, Details, lifetimeDays, type NewSecret, ProblemBox, SecretDialog } from "./details.js";
import { describeError, type Problem } from "./errors.js";
import { formatCount } from "./format.js";
import { Overview } from "./overview.js";
import { type Filters, NO_FILTERS } from "./query.js";
import { canWrite, connect, forget, remembered, type Session } from "./session.js";
import { DAY, type StateKey } from "./stats.js";
import { TokenTable } from "./table.js";

/** Every field, so the overview and the details need no second request. */
const FIELDS = [...API_TOKEN_FIELDS];
/** Dynatrace's default page size: a large environment shows its progress page by page. */
const PAGE_SIZE = 200;

export function App() {
  const [session, setSession] = useState<Session>();
  const [restoring, setRestoring] = useState(() => remembered() !== undefined);
  const [restoreProblem, setRestoreProblem] = useState<Problem>();

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
      <ConnectForm initialUrl={import.meta.env.VITE_DT_ENVIRONMENT_URL ?? ""} onConnected={setSession} />
    </>
  );
}

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
  const [selected, setSelected] = useState<string>();
  const [secret, setSecret] = useState<NewSecret>();
  const [status, setStatus] = useState("");
  const [selfId, setSelfId] = useState(session.self.id);
  const loading = useRef<AbortController>(undefined);

  const load = useCallback(async () => {
    loading.current?.abort();
    const controller = new AbortController();
    loading.current = controller;
    setProblem(undefined);
    setNow(Date.now());
    setProgress({ loaded: 0, total: undefined, done: false });
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
    } catch (error) {
      if (!controller.signal.aborted) setProblem(describeError(error, "Loading the tokens"));
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
      setStatus(`${enabled ? "Enabled" : "Disabled"} “${token.name}”.`);
      await refresh(token.id!);
    },
    async remove(token) {
      await client.delete(token.id!);
      setTokens((ts) => ts.filter((t) => t.id !== token.id));
      setSelected(undefined);
      setStatus(`Deleted “${token.name}”.`);
    },
    async rotate(token, { revoke, lifetime }) {
      const days = lifetime === "same" ? lifetimeDays(token) : lifetime;
      // rotate() needs the expiry spelled out: null when the old token never expired.
      const expirationDate = days === undefined ? null : new Date(Date.now() + days * DAY);
      let result: RotateResult;
      if (token.id === session.self.id) {
        // The page's own token: create the new one, switch to it, then revoke the old one with it.
        result = await client.rotate(token.id!, { revoke: "keep", expirationDate });
        session.useSecret(result.created.token!, await client.lookup(result.created.token!));
        setSelfId(result.created.id);
        try {
          if (revoke === "delete") await client.delete(token.id!);
          else if (revoke === "disable") await client.update(token.id!, { enabled: false });
        } catch (revokeError) {
          result = { ...result, revoked: false, revokeError };
        }
      } else {
        result = await client.rotate(token.id!, { revoke, expirationDate });
      }
      const { created, revoked } = result;
      const fresh: ApiToken = await client.get(created.id!).catch(() => ({
        ...token,
        id: created.id,
        expirationDate: created.expirationDate,
        creationDate: new Date().toISOString(),
        lastUsedDate: undefined,
        enabled: true,
      }));
      setTokens((ts) => [
        fresh,
        ...(revoke === "delete" && revoked
          ? ts.filter((t) => t.id !== token.id)
          : ts.map((t) =>
              t.id === token.id && revoke === "disable" && revoked ? { ...t, enabled: false } : t,
            )),
      ]);
      setSelected(created.id);
      setSecret({
        name: fresh.name ?? token.name ?? "",
        id: created.id!,
        token: created.token!,
        expirationDate: created.expirationDate,
        revoke,
        ...(revoked ? {} : { revokeProblem: describeError(result.revokeError, "Revoking the old token") }),
      });
      setStatus(`Rotated “${token.name}”.`);
    },
  };

  const pick = (state: StateKey) => {
    setFilters(state === "personal" ? { ...NO_FILTERS, personal: "yes" } : { ...NO_FILTERS, state });
    const heading = document.getElementById("tokens-heading");
    heading?.scrollIntoView({ block: "start" });
    heading?.focus({ preventScroll: true });
  };

  const token = selected ? tokens.find((t) => t.id === selected) : undefined;
  const writable = canWrite(session.self);
  const pct = progress.total ? Math.round((progress.loaded / progress.total) * 100) : 0;

  return (
    <div class="shell" data-state={progress.done ? "ready" : problem ? "error" : "loading"}>
      <header class="topbar">
        <div>
          <h1>API tokens</h1>
          <p class="muted small">
            <span data-testid="environment">{client.baseUrl.replace(/\/api\/v2$/, "")}</span> · signed in as “
            {session.self.name}” ({session.self.owner}){writable ? "" : " · read-only"}
          </p>
        </div>
        <div class="topbar-actions">
          <button type="button" class="button secondary" onClick={load}>
            Reload
          </button>
          <button type="button" class="button secondary" onClick={onDisconnect}>
            Disconnect
          </button>
        </div>
      </header>
      <main>
        {progress.done ? null : (
          <div class="progress" data-testid="progress">
            <label for="load-progress">
              Loading tokens: {formatCount(progress.loaded)}
              {progress.total === undefined ? "" : ` of ${formatCount(progress.total)}`}
            </label>
            <progress id="load-progress" max={100} value={pct} />
          </div>
        )}
        {problem ? <ProblemBox problem={problem} /> : null}
        <div role="status" class="sr-only">
          {status}
        </div>
        <Overview tokens={tokens} now={now} complete={progress.done} onPick={pick} />
        <TokenTable
          tokens={tokens}
          now={now}
          filters={filters}
          setFilters={setFilters}
          selfId={selfId}
          onOpen={setSelected}
        />
      </main>
      {token ? (
        <Details
          key={token.id}
          token={token}
          now={now}
          isSelf={token.id === selfId}
          selfOwner={session.self.owner}
          writable={writable}
          actions={actions}
          onClose={() => setSelected(undefined)}
        />
      ) : null}
      {secret ? <SecretDialog secret={secret} onClose={() => setSecret(undefined)} /> : null}
    </div>
  );
}

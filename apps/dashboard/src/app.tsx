import {
  API_TOKEN_FIELDS,
  type ApiToken,
  finishRetirements,
  LIST_PAGE_SIZE,
  type RotateTokenResult,
  rotateToken,
} from "@dt-tokens/client";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ConnectForm } from "./connect.js";
import { type Actions, Details, lifetimeDays, type NewSecret, ProblemBox, SecretDialog } from "./details.js";
import { describeError, type Problem } from "./errors.js";
import { formatCount, show } from "./format.js";
import { Overview } from "./overview.js";
import { type Filters, NO_FILTERS } from "./query.js";
import { Retirements } from "./retirements.js";
import { canWrite, connect, forget, remembered, type Session, selfTokenId, WRITE_SCOPE } from "./session.js";
import { DAY, type StateKey } from "./stats.js";
import { TokenTable } from "./table.js";

/** Every field, so the overview and the details need no second request. */
const FIELDS = [...API_TOKEN_FIELDS];
const HOUR = 3_600_000;
/** Dynatrace's default page size: a large environment shows its progress page by page. */
const PAGE_SIZE = LIST_PAGE_SIZE.default;

/** The environment an API base belongs to: the base without its `/api/v2` or platform prefix. */
const environmentOf = (baseUrl: string) =>
  baseUrl.replace(/\/(?:api|platform\/classic\/environment-api)\/v2$/, "");

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
  const [selfId, setSelfId] = useState(selfTokenId(session.identity));
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
      setStatus(`${enabled ? "Enabled" : "Disabled"} “${show(token.name)}”.`);
      await refresh(token.id!);
    },
    async remove(token) {
      await client.delete(token.id!);
      setTokens((ts) => ts.filter((t) => t.id !== token.id));
      setSelected(undefined);
      setStatus(`Deleted “${show(token.name)}”.`);
    },
    async rotate(token, { revoke, lifetime, overlapHours }) {
      const days = lifetime === "same" ? lifetimeDays(token) : lifetime;
      // The expiry spelled out: null when the old token never expired.
      const expirationDate = days === undefined ? null : new Date(Date.now() + days * DAY);
      const isSelf = token.id === selfTokenId(session.identity);
      const overlap = revoke !== "keep" && overlapHours > 0;
      // The page's own token cannot disable or delete itself: keep it, switch to the new one, then retire it.
      const retireLater = isSelf && !overlap && revoke !== "keep";
      const update = (patch: Partial<NewSecret>) => setSecret((s) => (s ? { ...s, ...patch } : s));
      let result: RotateTokenResult;
      try {
        result = await rotateToken(client, token.id!, {
          expirationDate,
          retire: retireLater
            ? { action: "keep" }
            : { action: revoke, ...(overlap && { after: overlapHours * HOUR }) },
          // Delivery is the person: the secret is shown until they confirm it is stored.
          deliver: (secretValue, target) =>
            new Promise<void>((resolve, reject) =>
              setSecret({
                name: target.name,
                id: target.id,
                token: secretValue,
                expirationDate: target.expirationDate,
                phase: "store",
                revoke,
                stored: () => {
                  update({ phase: "verifying", token: undefined, stored: undefined, discard: undefined });
                  resolve();
                },
                discard: () => reject(new Error("The new token was discarded before it was stored.")),
              }),
            ),
        });
      } catch (error) {
        update({ phase: "failed", token: undefined, problem: describeError(error, "Rotating the token") });
        throw error;
      }
      const { created, retirement } = result;
      let revokeProblem = retirement.error
        ? describeError(retirement.error, "Retiring the old token")
        : undefined;
      if (isSelf) {
        session.useSecret(created.token, await client.lookup(created.token));
        setSelfId(created.id);
        if (retireLater) {
          try {
            if (revoke === "delete") await client.delete(token.id!);
            else await client.update(token.id!, { enabled: false });
          } catch (error) {
            revokeProblem = describeError(error, "Retiring the old token");
          }
        }
      }
      const fresh: ApiToken = await client.get(created.id).catch(() => ({
        ...token,
        id: created.id,
        expirationDate: created.expirationDate,
        creationDate: new Date().toISOString(),
        lastUsedDate: undefined,
        enabled: true,
      }));
      const old = await client.get(token.id!).catch(() => undefined);
      setTokens((ts) => [fresh, ...ts.flatMap((t) => (t.id !== token.id ? [t] : old ? [old] : []))]);
      // The details switch to the new token when the secret dialog closes (a drawer opened now would cover it).
      update({
        phase: "done",
        ...(retirement.at && { retireAt: retirement.at.toISOString() }),
        ...(revokeProblem && { revokeProblem }),
      });
      setStatus(`Rotated “${show(token.name)}”.`);
    },
  };

  const finishDue = async () => {
    const outcomes = await finishRetirements(client);
    const done = outcomes.filter((o) => o.status === "done").length;
    const failed = outcomes.filter((o) => o.status === "failed");
    setStatus(`Retired ${done} token${done === 1 ? "" : "s"}.`);
    await load();
    if (failed.length) throw failed[0]!.error;
  };

  const pick = (state: StateKey) => {
    setFilters(state === "personal" ? { ...NO_FILTERS, personal: "yes" } : { ...NO_FILTERS, state });
    const heading = document.getElementById("tokens-heading");
    heading?.scrollIntoView({ block: "start" });
    heading?.focus({ preventScroll: true });
  };

  const token = selected ? tokens.find((t) => t.id === selected) : undefined;
  const { identity } = session;
  const writable = canWrite(identity);
  const pct = progress.total ? Math.round((progress.loaded / progress.total) * 100) : 0;

  return (
    <div class="shell" data-state={progress.done ? "ready" : problem ? "error" : "loading"}>
      <header class="topbar">
        <div>
          <h1>API tokens</h1>
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
        <Retirements tokens={tokens} now={now} writable={writable} onFinish={finishDue} />
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
          selfOwner={identity.kind === "api-token" ? identity.token.owner : undefined}
          platform={identity.kind === "platform-token"}
          writable={writable}
          actions={actions}
          onClose={() => setSelected(undefined)}
        />
      ) : null}
      {secret ? (
        <SecretDialog
          secret={secret}
          onClose={() => {
            if (secret.phase === "done") setSelected(secret.id);
            setSecret(undefined);
          }}
        />
      ) : null}
    </div>
  );
}

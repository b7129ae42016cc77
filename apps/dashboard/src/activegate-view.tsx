/**
 * The ActiveGate tokens view: counts, the expiry timeline and which ActiveGate goes dark when. The
 * numbers come from `activegates.ts`; the tokens and ActiveGates from `@dt-tokens/client/activegate`,
 * loaded the first time the view is shown. A missing scope or a failed load is said in the section
 * it concerns; the API tokens view is not touched by either.
 */

import { PermissionDeniedError } from "@dt-tokens/client";
import type { ActiveGate, ActiveGateToken, ActiveGateTokenEnforcement } from "@dt-tokens/client/activegate";
import { enforcementText } from "@dt-tokens/client/display";
import { Fragment } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  ACTIVEGATE_COUNTS,
  ACTIVEGATE_TOKEN_EXPIRING_DAYS,
  activeGateTimeline,
  countActiveGateTokens,
  type GateRow,
  whenGatesGoDark,
} from "./activegates.js";
import { BarChart } from "./charts.js";
import { describeError, type Problem } from "./errors.js";
import { formatCount, formatDate, formatRelative, show } from "./format.js";
import { ProblemBox } from "./problem-box.js";
import type { Session } from "./session.js";
import { expiryBars } from "./stats.js";

/** The largest page Dynatrace allows here: most environments load in one request. */
const PAGE_SIZE = 3000;

type Loaded<T> = { state: "loading" } | { state: "ok"; value: T } | { state: "error"; problem: Problem };

/** A 403 in plain words: which scope is missing, what it is needed for, and that the API tokens view is unaffected. */
function describeLoadError(error: unknown, what: string, purpose: string): Problem {
  if (error instanceof PermissionDeniedError) {
    const scopes = error.missingScopes.length ? error.missingScopes.join(" or ") : "a scope to read them";
    return {
      title: `The token cannot read ${what}: it needs ${scopes}.`,
      detail: `Without it this view cannot show ${purpose}. Add the scope to the token or sign in with one that has it; the API tokens view works as before.`,
    };
  }
  return describeError(error, `Loading the ${what}`);
}

/** The enforcement status as a sentence: the words `ag-tokens audit` prints (display's enforcementText). */
function enforcementSentence(e: ActiveGateTokenEnforcement): string {
  const text = enforcementText(e);
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

export function ActiveGateView({ session, reloads }: { session: Session; reloads: number }) {
  const [now, setNow] = useState(() => Date.now());
  const [tokens, setTokens] = useState<Loaded<ActiveGateToken[]>>({ state: "loading" });
  const [gates, setGates] = useState<
    Loaded<{ gates: ActiveGate[]; enforcement: ActiveGateTokenEnforcement }>
  >({
    state: "loading",
  });
  const [status, setStatus] = useState("");
  const loading = useRef<AbortController>(undefined);

  const load = useCallback(async () => {
    loading.current?.abort();
    const controller = new AbortController();
    loading.current = controller;
    const { signal } = controller;
    setNow(Date.now());
    setTokens({ state: "loading" });
    setGates({ state: "loading" });
    setStatus("Loading ActiveGate tokens…");
    let client: Awaited<ReturnType<Session["activeGates"]>>;
    try {
      client = await session.activeGates();
    } catch (error) {
      if (signal.aborted) return;
      const problem = describeError(error, "Loading the ActiveGate tokens view");
      setTokens({ state: "error", problem });
      setGates({ state: "error", problem });
      setStatus("");
      return;
    }
    const readTokens = (async () => {
      const all: ActiveGateToken[] = [];
      for await (const token of client.listAll({ pageSize: PAGE_SIZE }, { signal })) all.push(token);
      return all;
    })();
    const readGates = Promise.all([client.activeGates({}, { signal }), client.enforcement({ signal })]);
    const [t, g] = await Promise.allSettled([readTokens, readGates]);
    if (signal.aborted) return;
    setTokens(
      t.status === "fulfilled"
        ? { state: "ok", value: t.value }
        : {
            state: "error",
            problem: describeLoadError(
              t.reason,
              "ActiveGate tokens",
              "the tokens, their counts and expiry timeline",
            ),
          },
    );
    setGates(
      g.status === "fulfilled"
        ? { state: "ok", value: { gates: g.value[0], enforcement: g.value[1] } }
        : {
            state: "error",
            problem: describeLoadError(g.reason, "ActiveGates", "which ActiveGate uses which token"),
          },
    );
    const parts = [
      t.status === "fulfilled"
        ? `${formatCount(t.value.length)} ActiveGate token${t.value.length === 1 ? "" : "s"}`
        : "",
      g.status === "fulfilled"
        ? `${formatCount(g.value[0].length)} ActiveGate${g.value[0].length === 1 ? "" : "s"}`
        : "",
    ].filter(Boolean);
    setStatus(
      parts.length === 2
        ? `Loaded ${parts.join(" and ")}.`
        : parts.length === 1
          ? `Loaded ${parts[0]}; see the message for what could not be loaded.`
          : "The ActiveGate tokens could not be loaded.",
    );
  }, [session]);

  useEffect(() => {
    load();
    return () => loading.current?.abort();
  }, [load, reloads]);

  const tokenList = tokens.state === "ok" ? tokens.value : undefined;
  const gateList = gates.state === "ok" ? gates.value.gates : undefined;
  const counts = useMemo(
    () => (tokenList ? countActiveGateTokens(tokenList, gateList, now) : undefined),
    [tokenList, gateList, now],
  );
  const bars = useMemo(
    () => (tokenList ? expiryBars(activeGateTimeline(tokenList, now)) : undefined),
    [tokenList, now],
  );
  const rows = useMemo(
    () => (gateList ? whenGatesGoDark(tokenList ?? [], gateList, now) : undefined),
    [tokenList, gateList, now],
  );
  const busy = tokens.state === "loading" || gates.state === "loading";

  return (
    <div class="ag-view" data-testid="activegate-view" data-state={busy ? "loading" : "ready"}>
      <div role="status" class="sr-only" data-testid="ag-status">
        {status}
      </div>
      <section class="overview" aria-labelledby="ag-overview-heading" aria-busy={busy || undefined}>
        <div class="section-head">
          <h2 id="ag-overview-heading">Tokens</h2>
          {tokenList ? (
            <p class="muted">
              {formatCount(tokenList.length)} ActiveGate token{tokenList.length === 1 ? "" : "s"}, as of{" "}
              {formatDate(new Date(now).toISOString())}
            </p>
          ) : null}
        </div>
        {tokens.state === "loading" ? <p class="muted">Loading ActiveGate tokens…</p> : null}
        {tokens.state === "error" ? <ProblemBox problem={tokens.problem} /> : null}
        {counts && bars ? (
          <>
            <ul class="cards" aria-label="ActiveGate tokens by state">
              {ACTIVEGATE_COUNTS.map((c) => (
                <li key={c.key}>
                  <div class={`card static tone-${c.tone}`} data-count={c.key}>
                    <span class="card-count" data-testid={`ag-count-${c.key}`}>
                      {counts[c.key] === undefined ? "—" : formatCount(counts[c.key]!)}
                    </span>
                    <span class="card-label">
                      <span class="sr-only"> </span>
                      {c.label}
                    </span>
                    <span class="card-hint">
                      <span class="sr-only">: </span>
                      {counts[c.key] === undefined ? "unknown without the ActiveGates" : c.hint}
                    </span>
                  </div>
                </li>
              ))}
            </ul>
            {tokenList!.length === 0 ? (
              <p data-testid="ag-empty">This environment has no ActiveGate tokens.</p>
            ) : (
              <div class="charts">
                <BarChart
                  title="Expiry timeline"
                  description={`ActiveGate tokens expiring per 30-day window from today (amber: within ${ACTIVEGATE_TOKEN_EXPIRING_DAYS} days)`}
                  bars={bars}
                  testId="chart-ag-expiration"
                />
              </div>
            )}
          </>
        ) : null}
      </section>
      <section class="retirements" aria-labelledby="ag-gates-heading" aria-busy={busy || undefined}>
        <div class="section-head">
          <h2 id="ag-gates-heading">Which ActiveGates go dark when</h2>
          {gates.state === "ok" ? (
            <p class="muted" data-testid="ag-enforcement">
              {enforcementSentence(gates.value.enforcement)}
            </p>
          ) : null}
        </div>
        {gates.state === "loading" ? <p class="muted">Loading ActiveGates…</p> : null}
        {gates.state === "error" &&
        gates.problem !== (tokens.state === "error" ? tokens.problem : undefined) ? (
          <ProblemBox problem={gates.problem} />
        ) : null}
        {rows && rows.length === 0 ? (
          <p data-testid="ag-no-gates">No ActiveGates are connected to this environment.</p>
        ) : null}
        {rows && rows.length > 0 ? <GateTable rows={rows} now={now} /> : null}
      </section>
    </div>
  );
}

/** The badge colour of a token state as Dynatrace reports it (other and new states: muted). */
const STATE_TONE: Record<string, string> = { VALID: "ok", EXPIRING: "warn", INVALID: "bad" };

function darkText(row: GateRow, now: number): string {
  switch (row.dark.kind) {
    case "now":
      return row.dark.since ? `dark since ${formatRelative(row.dark.since, now)}` : "now";
    case "no-token":
      return "now: it has no token";
    case "at":
      return formatRelative(row.dark.at, now);
    case "unknown":
      return "unknown: the token is not in the list";
    case "never":
      return "never: the token does not expire";
  }
}

/** A host name that may wrap after its dots (not inside a label) when the column is narrow. */
function Breakable({ text }: { text: string }) {
  const parts = text.split(".");
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 ? (
            <>
              .<wbr />
            </>
          ) : null}
        </Fragment>
      ))}
    </>
  );
}

function GateTable({ rows, now }: { rows: GateRow[]; now: number }) {
  return (
    <table class="retire-table gate-table" data-testid="ag-gates">
      <caption class="sr-only">
        ActiveGates, the token each uses, and when each goes dark: soonest first
      </caption>
      <thead>
        <tr>
          <th scope="col">Host</th>
          <th scope="col">Token</th>
          <th scope="col">Token state</th>
          <th scope="col">Expires</th>
          <th scope="col">Goes dark</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key} data-host={row.host} data-dark={row.dark.kind}>
            <th scope="row" data-label="Host">
              {/* One box (at 640 px and narrower the cell is a flex row: its label, then this). */}
              <span>
                <Breakable text={show(row.host)} />
                {row.offlineSince ? <span class="muted small"> (offline)</span> : null}
              </span>
            </th>
            <td data-label="Token">
              {row.tokenId ? (
                <>
                  {row.tokenName ? `${show(row.tokenName)} ` : ""}
                  <code>{row.tokenId}</code>
                </>
              ) : (
                "none"
              )}
            </td>
            <td data-label="Token state">
              <span class={`badge ${STATE_TONE[row.state] ?? "muted"}`}>{row.state || "none reported"}</span>
            </td>
            <td data-label="Expires" class="nowrap">
              {row.expirationDate
                ? formatDate(row.expirationDate, "—", "day")
                : row.dark.kind === "never"
                  ? "never"
                  : "—"}
            </td>
            <td data-label="Goes dark">{darkText(row, now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

import type { ApiToken } from "@dt-tokens/client";
import { useEffect, useMemo, useState } from "preact/hooks";
import { downloadText, tokensCsv } from "./export.js";
import { element, useFocusNext } from "./focus.js";
import { formatAgo, formatCount, formatDate, show } from "./format.js";
import { type Filters, filterTokens, NO_FILTERS, type Sort, type SortKey, sortTokens } from "./query.js";
import { STATE_TONE, STATES, type StateKey, statesOf } from "./stats.js";

const PAGE = 50;

const COLUMNS: { key: SortKey | null; label: string }[] = [
  { key: "name", label: "Name" },
  { key: "owner", label: "Owner" },
  { key: null, label: "State" },
  { key: "scopes", label: "Scopes" },
  { key: "creationDate", label: "Created" },
  { key: "lastUsedDate", label: "Last used" },
  { key: "expirationDate", label: "Expires" },
];

const SHORT: Record<StateKey, string> = {
  active: "active",
  disabled: "disabled",
  expired: "expired",
  expiring: "expiring",
  neverUsed: "never used",
  unused: "unused 90d+",
  personal: "personal",
  broadWrite: "broad write",
};

export function TokenTable({
  tokens,
  now,
  filters,
  setFilters,
  selfId,
  onOpen,
}: {
  tokens: readonly ApiToken[];
  now: number;
  filters: Filters;
  setFilters: (f: Filters) => void;
  selfId: string | undefined;
  onOpen: (id: string) => void;
}) {
  const [sort, setSort] = useState<Sort>({ key: "creationDate", descending: true });
  const [page, setPage] = useState(0);
  /** Said after a sort (the header's aria-sort changes silently). */
  const [sortSaid, setSortSaid] = useState("");
  const focusNext = useFocusNext();
  const owners = useMemo(() => distinct(tokens.map((t) => t.owner)), [tokens]);
  const scopes = useMemo(() => distinct(tokens.flatMap((t) => t.scopes ?? [])), [tokens]);
  const rows = useMemo(
    () => sortTokens(filterTokens(tokens, filters, now), sort),
    [tokens, filters, now, sort],
  );
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  // A new filter or sort starts at page one.
  useEffect(() => setPage(0), [filters, sort]);
  const current = Math.min(page, pages - 1);
  const shown = rows.slice(current * PAGE, (current + 1) * PAGE);
  const set = (patch: Partial<Filters>) => setFilters({ ...filters, ...patch });
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);
  const sortBy = (next: Sort) => {
    setSort(next);
    const label = COLUMNS.find((c) => c.key === next.key)?.label ?? next.key;
    setSortSaid(`Sorted by ${label}, ${next.descending ? "descending" : "ascending"}.`);
  };
  /** Pages the table; the focus stays on the pager (on the other button when this one disables itself). */
  const turn = (to: number, from: "previous" | "next") => {
    setPage(to);
    const last = from === "next" ? to >= pages - 1 : to === 0;
    focusNext(element(`.pager [data-page=${last ? (from === "next" ? "previous" : "next") : from}]`));
  };

  return (
    <section class="tokens" aria-labelledby="tokens-heading" data-testid="tokens">
      <div class="section-head">
        <h2 id="tokens-heading" tabIndex={-1}>
          Tokens
        </h2>
        <p class="sr-only" role="status" data-testid="sort-status">
          {sortSaid}
        </p>
        <p class="muted" role="status" data-testid="row-count">
          {rows.length === 0
            ? "No tokens match."
            : `Showing ${formatCount(current * PAGE + 1)}–${formatCount(current * PAGE + shown.length)} of ${formatCount(rows.length)}`}
          {filtered ? ` (filtered from ${formatCount(tokens.length)})` : ""}
        </p>
        <button
          type="button"
          class="button secondary"
          disabled={rows.length === 0}
          onClick={() =>
            downloadText(`api-tokens-${new Date(now).toISOString().slice(0, 10)}.csv`, tokensCsv(rows))
          }
        >
          Export CSV ({formatCount(rows.length)})
        </button>
      </div>
      <search class="filters" aria-label="Filter tokens">
        <div class="field grow">
          <label for="filter-search">Search</label>
          <input
            id="filter-search"
            type="search"
            value={filters.text}
            placeholder="name, id, owner or scope"
            onInput={(e) => set({ text: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="filter-owner">Owner</label>
          <select
            id="filter-owner"
            value={filters.owner}
            onChange={(e) => set({ owner: e.currentTarget.value })}
          >
            <option value="">All owners</option>
            {owners.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-scope">Scope</label>
          <select
            id="filter-scope"
            value={filters.scope}
            onChange={(e) => set({ scope: e.currentTarget.value })}
          >
            <option value="">All scopes</option>
            {scopes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-personal">Personal</label>
          <select
            id="filter-personal"
            value={filters.personal}
            onChange={(e) => set({ personal: e.currentTarget.value as Filters["personal"] })}
          >
            <option value="">All tokens</option>
            <option value="yes">Personal access tokens</option>
            <option value="no">API tokens (not personal)</option>
          </select>
        </div>
        <div class="field">
          <label for="filter-state">State</label>
          <select
            id="filter-state"
            value={filters.state}
            onChange={(e) => set({ state: e.currentTarget.value as Filters["state"] })}
          >
            <option value="">Any state</option>
            {STATES.filter((s) => s.key !== "personal").map((s) => (
              <option key={s.key} value={s.key}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field sort-field">
          <label for="sort-by">Sort by</label>
          <select
            id="sort-by"
            value={`${sort.key}:${sort.descending ? "desc" : "asc"}`}
            onChange={(e) => {
              const [key, order] = e.currentTarget.value.split(":");
              sortBy({ key: key as SortKey, descending: order === "desc" });
            }}
          >
            {COLUMNS.flatMap((c) =>
              c.key === null
                ? []
                : [
                    <option key={`${c.key}:asc`} value={`${c.key}:asc`}>
                      {c.label}, ascending
                    </option>,
                    <option key={`${c.key}:desc`} value={`${c.key}:desc`}>
                      {c.label}, descending
                    </option>,
                  ],
            )}
          </select>
        </div>
        <button
          type="button"
          class="button secondary"
          disabled={!filtered}
          onClick={() => {
            setFilters(NO_FILTERS);
            // The button disables itself: the search field is where a new filter starts.
            focusNext(element("#filter-search"));
          }}
        >
          Clear filters
        </button>
      </search>
      <div class="table-wrap">
        <table class="token-table">
          <caption class="sr-only">API tokens; select a name for every field and the actions</caption>
          <thead>
            <tr>
              {COLUMNS.map((c) => {
                const active = c.key !== null && sort.key === c.key;
                return (
                  <th
                    key={c.label}
                    scope="col"
                    aria-sort={active ? (sort.descending ? "descending" : "ascending") : undefined}
                  >
                    {c.key === null ? (
                      c.label
                    ) : (
                      <button
                        type="button"
                        class="sort"
                        data-sort={c.key}
                        onClick={() =>
                          sortBy({
                            key: c.key as SortKey,
                            descending: active ? !sort.descending : false,
                          })
                        }
                      >
                        {c.label}
                        <span aria-hidden="true" class="sort-mark">
                          {active ? (sort.descending ? "▼" : "▲") : "↕"}
                        </span>
                      </button>
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {shown.map((t) => (
              <tr
                key={t.id}
                data-id={t.id}
                // The whole row opens the details for a mouse; the name button is the keyboard's way in.
                onClick={(e) => (e.target as Element).closest("button") || onOpen(t.id!)}
              >
                <td class="name" data-label="Name">
                  {/* Long names are cut to two lines; hover and focus show the whole name. */}
                  {/* Named with the id too: after a rotation two tokens share a name. */}
                  <button
                    type="button"
                    class="link name-text"
                    id={`name-${t.id}`}
                    aria-labelledby={`name-${t.id} id-${t.id}`}
                    title={show(t.name, "(no name)")}
                    onClick={() => onOpen(t.id!)}
                  >
                    {show(t.name, "(no name)")}
                  </button>
                  {t.id === selfId ? <span class="badge info">this session</span> : null}
                  <div class="id" id={`id-${t.id}`}>
                    {t.id}
                  </div>
                </td>
                <td class="owner" data-label="Owner">
                  {show(t.owner)}
                </td>
                <td class="states" data-label="State">
                  {statesOf(t, now).map((s) => (
                    <span key={s} class={`badge ${STATE_TONE[s]}`}>
                      {SHORT[s]}
                    </span>
                  ))}
                </td>
                {/* The full scopes and dates are in the hover titles, for screen readers in the text, and
                    for everyone in the details. */}
                <td class="scopes" data-label="Scopes" title={(t.scopes ?? []).join(", ")}>
                  <span aria-hidden="true">
                    {t.scopes?.length ?? 0}
                    <span class="muted">
                      {" "}
                      {t.scopes?.slice(0, 2).join(", ")}
                      {(t.scopes?.length ?? 0) > 2 ? ", …" : ""}
                    </span>
                  </span>
                  <span class="sr-only">
                    {t.scopes?.length ?? 0}: {(t.scopes ?? []).join(", ")}
                  </span>
                </td>
                <td class="created" data-label="Created" title={formatDate(t.creationDate)}>
                  <span aria-hidden="true">{formatDate(t.creationDate, "—", "day")}</span>
                  <span class="sr-only">{formatDate(t.creationDate)}</span>
                </td>
                <td class="last-used" data-label="Last used" title={formatDate(t.lastUsedDate, "never used")}>
                  {formatAgo(t.lastUsedDate, now)}
                  {t.lastUsedDate ? <span class="sr-only"> ({formatDate(t.lastUsedDate)})</span> : null}
                </td>
                <td
                  class="expires"
                  data-label="Expires"
                  title={formatDate(t.expirationDate, "never expires")}
                >
                  <span aria-hidden="true">{formatDate(t.expirationDate, "never", "day")}</span>
                  <span class="sr-only">{formatDate(t.expirationDate, "never")}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 ? (
        <nav class="pager" aria-label="Table pages">
          <button
            type="button"
            class="button secondary"
            data-page="previous"
            disabled={current === 0}
            onClick={() => turn(current - 1, "previous")}
          >
            Previous
          </button>
          <span>
            Page {current + 1} of {pages}
          </span>
          <button
            type="button"
            class="button secondary"
            data-page="next"
            disabled={current >= pages - 1}
            onClick={() => turn(current + 1, "next")}
          >
            Next
          </button>
        </nav>
      ) : null}
    </section>
  );
}

function distinct(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => !!v))].sort((a, b) => a.localeCompare(b));
}

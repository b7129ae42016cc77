import type { ApiToken } from "@dt-tokens/client";
import { useMemo } from "preact/hooks";
import { BarChart, type ChartBar } from "./charts.js";
import { formatCount, formatDate } from "./format.js";
import {
  countStates,
  expirationTimeline,
  expiryBars,
  lastUsedHistogram,
  STATE_TONE,
  STATES,
  type StateKey,
  UNUSED_DAYS,
} from "./stats.js";

export function Overview({
  tokens,
  now,
  complete,
  onPick,
}: {
  tokens: readonly ApiToken[];
  now: number;
  complete: boolean;
  /** Shows the tokens of a state in the table. */
  onPick: (state: StateKey) => void;
}) {
  const counts = useMemo(() => countStates(tokens, now), [tokens, now]);
  const ages = useMemo<ChartBar[]>(
    () =>
      lastUsedHistogram(tokens, now).map((b, i, all) => ({
        ...b,
        tone: i === all.length - 1 ? "muted" : i >= 4 ? "warn" : "ok",
      })),
    [tokens, now],
  );
  const expiry = useMemo(() => expiryBars(expirationTimeline(tokens, now)), [tokens, now]);

  return (
    <section class="overview" aria-labelledby="overview-heading" data-testid="overview">
      <div class="section-head">
        <h2 id="overview-heading">Overview</h2>
        <p class="muted">
          {formatCount(counts.total)} tokens{complete ? "" : " loaded so far"}, as of{" "}
          {formatDate(new Date(now).toISOString())}
        </p>
      </div>
      <ul class="cards" aria-label="Tokens by state">
        {STATES.map((s) => (
          <li key={s.key}>
            <button
              type="button"
              class={`card tone-${STATE_TONE[s.key]}`}
              data-state={s.key}
              onClick={() => onPick(s.key)}
            >
              {/* The name is the visible text (WCAG 2.5.3), with what the button does after it. */}
              <span class="card-count" data-testid={`count-${s.key}`}>
                {formatCount(counts[s.key])}
              </span>
              <span class="card-label">
                <span class="sr-only"> </span>
                {s.label}
              </span>
              <span class="card-hint">
                <span class="sr-only">: </span>
                {s.hint}
                <span class="sr-only">. Show them in the table.</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      <div class="charts">
        <BarChart
          title="Last used"
          description={`how long ago each token was last used (amber: ${UNUSED_DAYS} days or more)`}
          bars={ages}
          testId="chart-last-used"
        />
        <BarChart
          title="Expiration timeline"
          description="tokens expiring per 30-day window from today"
          bars={expiry}
          testId="chart-expiration"
        />
      </div>
    </section>
  );
}

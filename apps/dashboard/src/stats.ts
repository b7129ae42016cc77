/**
 * What the overview shows, as plain functions of the tokens and a clock: the state of each token,
 * the counts per state, the last-used histogram and the expiration timeline. No DOM here.
 */
import type { ApiToken } from "@dt-tokens/client";
import {
  broadWriteScopes,
  EXPIRING_WITHIN_DAYS,
  isExpiring,
  isUnused,
  UNUSED_AFTER_DAYS,
} from "@dt-tokens/client/display";
import type { ChartBar } from "./charts.js";

export const DAY = 86_400_000;
/** "Expiring soon": expires within this many days (and has not expired yet); the CLI's audit uses the same. */
export const EXPIRING_DAYS = EXPIRING_WITHIN_DAYS;
/** "Unused": last used at least this many days ago (tokens never used are counted apart); the CLI's audit uses the same rule. */
export const UNUSED_DAYS = UNUSED_AFTER_DAYS;

/** The states the overview counts and the table filters by. A token can be in several. */
export const STATES = [
  { key: "active", label: "Active", hint: "enabled and not expired" },
  { key: "disabled", label: "Disabled", hint: "switched off; can be enabled again" },
  { key: "expired", label: "Expired", hint: "expiration date has passed" },
  { key: "expiring", label: `Expiring within ${EXPIRING_DAYS} days`, hint: "not expired yet" },
  { key: "neverUsed", label: "Never used", hint: "no recorded use" },
  {
    key: "unused",
    label: `Unused for ${UNUSED_DAYS}+ days`,
    hint: `last used ${UNUSED_DAYS} or more days ago`,
  },
  { key: "personal", label: "Personal", hint: "personal access tokens" },
  {
    key: "broadWrite",
    label: "Broad write scopes",
    hint: "can change tokens or settings (audit: high)",
  },
] as const;

export type StateKey = (typeof STATES)[number]["key"];

/** The colour tone each state is shown in (cards of the overview, badges of the table). */
export const STATE_TONE: Record<StateKey, "ok" | "muted" | "bad" | "warn" | "info"> = {
  active: "ok",
  disabled: "muted",
  expired: "bad",
  expiring: "warn",
  neverUsed: "muted",
  unused: "warn",
  personal: "info",
  broadWrite: "bad",
};

const time = (date: string | undefined): number | undefined => {
  if (!date) return undefined;
  const t = Date.parse(date);
  return Number.isNaN(t) ? undefined : t;
};

/** Whether the token is in the given state at `now` (epoch ms). */
export function inState(token: ApiToken, state: StateKey, now: number): boolean {
  const expires = time(token.expirationDate);
  const used = time(token.lastUsedDate);
  const expired = expires !== undefined && expires <= now;
  switch (state) {
    case "active":
      return token.enabled !== false && !expired;
    case "disabled":
      return token.enabled === false;
    case "expired":
      return expired;
    case "expiring":
      return isExpiring(token.expirationDate, now);
    case "neverUsed":
      return used === undefined;
    case "unused":
      return isUnused(token.lastUsedDate, now);
    case "personal":
      return token.personalAccessToken === true;
    case "broadWrite":
      return broadWriteScopes(token.scopes).length > 0;
  }
}

/** The states a token is in, in the order of {@link STATES}. */
export const statesOf = (token: ApiToken, now: number): StateKey[] =>
  STATES.map((s) => s.key).filter((key) => inState(token, key, now));

export type StateCounts = Record<StateKey, number> & { total: number };

/** How many tokens are in each state. */
export function countStates(tokens: readonly ApiToken[], now: number): StateCounts {
  const counts = { total: tokens.length } as StateCounts;
  for (const { key } of STATES) counts[key] = 0;
  for (const token of tokens) for (const key of statesOf(token, now)) counts[key]++;
  return counts;
}

export interface Bucket {
  label: string;
  /** A longer label for screen readers and tooltips. */
  title: string;
  count: number;
}

/** Age of last use: [from, to) in days. */
export const AGE_BUCKETS: readonly { label: string; title: string; from: number; to: number }[] = [
  { label: "<1d", title: "used within the last day", from: 0, to: 1 },
  { label: "1–7d", title: "last used 1 to 7 days ago", from: 1, to: 7 },
  { label: "7–30d", title: "last used 7 to 30 days ago", from: 7, to: 30 },
  { label: "30–90d", title: "last used 30 to 90 days ago", from: 30, to: 90 },
  { label: "90–180d", title: "last used 90 to 180 days ago", from: 90, to: 180 },
  { label: "180d–1y", title: "last used 180 to 365 days ago", from: 180, to: 365 },
  { label: ">1y", title: "last used more than a year ago", from: 365, to: Number.POSITIVE_INFINITY },
];

/** Tokens per age of last use, plus a last bucket for tokens never used. */
export function lastUsedHistogram(tokens: readonly ApiToken[], now: number): Bucket[] {
  const buckets: Bucket[] = AGE_BUCKETS.map(({ label, title }) => ({ label, title, count: 0 }));
  const never: Bucket = { label: "never", title: "never used", count: 0 };
  for (const token of tokens) {
    const used = time(token.lastUsedDate);
    if (used === undefined) {
      never.count++;
      continue;
    }
    const days = Math.max(0, now - used) / DAY;
    const i = AGE_BUCKETS.findIndex((b) => days >= b.from && days < b.to);
    buckets[i]!.count++;
  }
  return [...buckets, never];
}

/** The timeline's windows: 30 days each, starting now. */
export const TIMELINE_WINDOWS = 12;

export interface Timeline {
  /** Already expired. */
  expired: number;
  /** One bucket per 30-day window from now: (now + 30·i, now + 30·(i+1)] days. */
  windows: Bucket[];
  /** Expires after the last window. */
  later: number;
  /** Never expires. */
  never: number;
}

/**
 * Tokens by when they expire: expired, per 30-day window over the next year, later, never. Any kind
 * of token with an `expirationDate` (API tokens, ActiveGate tokens).
 */
export function expirationTimeline(
  tokens: readonly { expirationDate?: string | null }[],
  now: number,
): Timeline {
  const windows: Bucket[] = Array.from({ length: TIMELINE_WINDOWS }, (_, i) => ({
    label: `${i * 30}–${(i + 1) * 30}d`,
    title: `expires in ${i === 0 ? "the next 30" : `${i * 30} to ${(i + 1) * 30}`} days`,
    count: 0,
  }));
  const timeline: Timeline = { expired: 0, windows, later: 0, never: 0 };
  for (const token of tokens) {
    const expires = time(token.expirationDate ?? undefined);
    if (expires === undefined) timeline.never++;
    else if (expires <= now) timeline.expired++;
    else {
      const i = Math.ceil((expires - now) / (30 * DAY)) - 1;
      if (i < TIMELINE_WINDOWS) windows[i]!.count++;
      else timeline.later++;
    }
  }
  return timeline;
}

/** The bars of the expiration chart: expired, each 30-day window ("30d" is the first: `m` is minutes in every duration), later, never. */
export function expiryBars(t: Timeline): ChartBar[] {
  return [
    { label: "expired", title: "already expired", count: t.expired, tone: "bad" },
    ...t.windows.map(
      (w, i) => ({ ...w, label: `${(i + 1) * 30}d`, tone: i === 0 ? "warn" : "ok" }) as ChartBar,
    ),
    { label: ">1y", title: "expires in more than 360 days", count: t.later, tone: "ok" },
    { label: "never", title: "never expires", count: t.never, tone: "muted" },
  ];
}

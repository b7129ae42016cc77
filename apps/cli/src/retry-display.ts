/**
 * The logger the CLI gives the client. With --debug, every line of the client. Otherwise, on a
 * terminal (stderr is a TTY) or with --show-retries, one line per retry as it happens, so that a
 * slow or unresponsive host is not silence: which attempt comes next, after what wait, and the
 * budget (each attempt's timeout, the whole call's deadline). It names the host only; the client's
 * lines and details are redacted anyway, and no secret is ever in them.
 */
import type { Logger, RetryDetails } from "@dt-tokens/client";
import { redact } from "@dt-tokens/client";
import type { Io } from "./io.js";

/** A duration for people: `0.4 s`, `30 s`, `2 min`; `no limit` for Infinity. */
export function seconds(ms: number): string {
  if (!Number.isFinite(ms)) return "no limit";
  if (ms < 10_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 120_000 || ms % 60_000 !== 0) return `${Math.round(ms / 1000)} s`;
  return `${ms / 60_000} min`;
}

/** A total wait for people: `4.5 s`, `59 s`, `1 min 31 s`, `2 min`. */
export function minutesAndSeconds(ms: number): string {
  if (ms < 60_000) return seconds(ms);
  const total = Math.round(ms / 1000);
  const rest = total % 60;
  return `${Math.floor(total / 60)} min${rest ? ` ${rest} s` : ""}`;
}

/** The line for one retry: `retrying GET 127.0.0.1:8080 (503): attempt 2 of 3 in 0.4 s; ...`. */
export function retryLine(d: RetryDetails): string {
  let host = "the server";
  try {
    host = new URL(d.request.url).host;
  } catch {}
  return `retrying ${d.request.method} ${host} (${d.reason}): attempt ${d.retry + 1} of ${d.maxRetries + 1} in ${seconds(d.waitMs)}; each attempt waits up to ${seconds(d.timeoutMs)}, ${seconds(d.deadlineMs)} in all at most`;
}

const isRetry = (
  details: Record<string, unknown> | undefined,
): details is Record<string, unknown> & RetryDetails =>
  typeof details?.retry === "number" && typeof details.waitMs === "number";

export function clientLogger(
  options: { debug?: boolean | undefined; showRetries?: boolean | undefined },
  io: Io,
): Logger | undefined {
  if (options.debug)
    return {
      debug: (m, d) => io.stderr.write(`debug: ${redact(m)}${d ? ` ${redact(JSON.stringify(d))}` : ""}\n`),
      warn: (m) => io.stderr.write(`warning: ${redact(m)}\n`),
    };
  if (!options.showRetries && !(io.stderr as { isTTY?: boolean }).isTTY) return undefined;
  return {
    debug: () => {},
    warn: (_m, d) => {
      if (isRetry(d)) io.stderr.write(`${redact(retryLine(d))}\n`);
    },
  };
}

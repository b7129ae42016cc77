/**
 * Runs one job per environment, `concurrency` at a time, each with its own client (its own
 * credential, retries and rate limits) and deadline. An environment that is down, refuses the
 * credential or throttles past its deadline becomes a failed report with a reason; the others go
 * on.
 */
import {
  ApiTokensError,
  AuthenticationError,
  type ClientOptions,
  ConnectionError,
  PermissionDeniedError,
  redact,
  TimeoutError,
} from "@dt-tokens/client";
import pLimit from "p-limit";
import { CredentialSourceError } from "../config/reference.js";
import { createClient, type GlobalOptions, requestTimeout } from "../connection.js";
import { describeError } from "../describe-error.js";
import type { NamedEnvironment } from "../environments.js";
import { UsageError } from "../errors.js";
import type { Io } from "../io.js";
import {
  type Deadline,
  deadlineOf,
  type ListAllParams,
  pagesWithin,
  RepeatedCursorError,
  ThrottledError,
} from "./pages.js";
import { FleetProgress } from "./progress.js";

/** Why an environment failed, for scripts (`reason` says it in words). */
export const FAILURES = [
  "credential",
  "unreachable",
  "refused",
  "forbidden",
  "throttled",
  "deadline",
  "error",
] as const;
export type Failure = (typeof FAILURES)[number];

export type EnvironmentReport<R> =
  | { name: string; url: string; status: "ok"; result: R }
  | { name: string; url: string; status: "failed"; failure: Failure; reason: string };

/** --deadline's default: the time each environment gets (5 minutes). */
export const DEFAULT_DEADLINE_MS = 300_000;

export interface FleetOptions {
  concurrency: number;
  /** The time each environment gets (--deadline; DEFAULT_DEADLINE_MS when not given). */
  deadlineMs?: number | undefined;
  /** The verb of the progress display ("Auditing", "Listing"). */
  label: string;
}

/** What a job gets: the pages of a list in its environment, within its deadline (progress counted). */
export type PagesOf = (params: ListAllParams) => ReturnType<typeof pagesWithin>;

export async function runFleet<R>(
  environments: readonly NamedEnvironment[],
  options: FleetOptions,
  globals: GlobalOptions,
  io: Io,
  job: (env: NamedEnvironment, pages: PagesOf) => Promise<R>,
): Promise<EnvironmentReport<R>[]> {
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const progress = new FleetProgress(io, options.label, environments.length);
  const limit = pLimit(options.concurrency);
  try {
    return await Promise.all(
      environments.map((env) =>
        limit(async (): Promise<EnvironmentReport<R>> => {
          const deadline = deadlineOf(deadlineMs);
          let throttled = false;
          try {
            const credential = await env.credential();
            const client = createClient(
              env.url,
              credential,
              globals,
              io,
              {
                // 429s come back at once and pagesWithin waits for them against the deadline.
                maxRetryDelayMs: 0,
                ...fleetTimeout(globals, env, deadlineMs),
              },
              env.name,
            );
            const pages: PagesOf = async function* (params) {
              let first = true;
              for await (const page of pagesWithin(client, params, deadline, () => {
                throttled = true;
              })) {
                if (first) progress.expect(page.totalCount);
                first = false;
                progress.advance(page.apiTokens.length);
                yield page;
              }
            };
            const result = await job(env, pages);
            progress.environmentDone(true);
            return { name: env.name, url: env.url, status: "ok", result };
          } catch (error) {
            progress.environmentDone(false);
            return {
              name: env.name,
              url: env.url,
              status: "failed",
              ...failureOf(error, env, deadline, throttled),
            };
          }
        }),
      ),
    );
  } finally {
    progress.stop();
  }
}

/** The kind of failure and one line about it (no secret, no stack). */
export function failureOf(
  error: unknown,
  env: NamedEnvironment,
  deadline: Deadline,
  throttled: boolean,
): { failure: Failure; reason: string } {
  if (error instanceof ThrottledError) return { failure: "throttled", reason: error.message };
  if (deadline.signal.aborted)
    return {
      failure: throttled ? "throttled" : "deadline",
      reason: `no complete answer within ${deadline.ms / 1000} s (--deadline)${throttled ? "; it was throttling (HTTP 429)" : ""}`,
    };
  if (error instanceof CredentialSourceError || error instanceof UsageError)
    return { failure: "credential", reason: redact(error.message).replace(`environment ${env.name}: `, "") };
  if (error instanceof RepeatedCursorError) return { failure: "error", reason: error.message };
  const { message } = describeError(error, env.url);
  if (error instanceof ConnectionError || error instanceof TimeoutError)
    return { failure: "unreachable", reason: message };
  if (error instanceof AuthenticationError)
    return { failure: "refused", reason: `the credential was refused: ${message}` };
  if (error instanceof PermissionDeniedError) return { failure: "forbidden", reason: message };
  if (error instanceof ApiTokensError && error.status === 429)
    return { failure: "throttled", reason: message };
  return { failure: "error", reason: message };
}

/**
 * Each environment's attempt timeout in a fleet: --timeout, else its own `timeout` in the config
 * file, else 30 s; never longer than its --deadline.
 */
export function fleetTimeout(
  globals: GlobalOptions,
  env: NamedEnvironment,
  deadlineMs: number,
): Partial<ClientOptions> {
  const chosen = requestTimeout(globals, env, FLEET_ATTEMPT_MS);
  return { ...chosen, timeoutMs: Math.min(chosen.timeoutMs!, deadlineMs) };
}

/** A fleet's attempt timeout when neither --timeout nor the config file sets one. */
const FLEET_ATTEMPT_MS = 30_000;

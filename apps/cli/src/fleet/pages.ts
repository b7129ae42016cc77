/**
 * The pages of one environment within a deadline. 429s are handled here, per environment: the
 * client gives them back at once (maxRetryDelayMs 0) and this waits the Retry-After the
 * environment asked for, as long as the deadline allows; past it, the environment is reported as
 * throttled and the others go on.
 */
import { type ApiTokensClient, ApiTokensError } from "@dt-tokens/client";

export type ListAllParams = NonNullable<Parameters<ApiTokensClient["listAll"]>[0]>;

/** The environment asked to wait past the deadline, or kept throttling until it passed. */
export class ThrottledError extends Error {
  override name = "ThrottledError";
}

/** The same nextPageKey came back twice: following it would loop forever. */
export class RepeatedCursorError extends Error {
  override name = "RepeatedCursorError";
}

export interface Deadline {
  /** Aborts when the deadline passes. */
  signal: AbortSignal;
  /** When it passes (epoch ms). */
  endsAt: number;
  ms: number;
}

export function deadlineOf(ms: number): Deadline {
  return { signal: AbortSignal.timeout(ms), endsAt: Date.now() + ms, ms };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Every page of a list, within the deadline; `onThrottled` hears each wait. */
export async function* pagesWithin(
  client: ApiTokensClient,
  params: ListAllParams,
  deadline: Deadline,
  onThrottled: (waitMs: number) => void = () => {},
) {
  let nextPageKey: string | undefined;
  const seen = new Set<string>();
  do {
    let page: Awaited<ReturnType<ApiTokensClient["list"]>>;
    for (;;) {
      try {
        // A later page sends only its cursor (the client's page-key overload).
        const options = { signal: deadline.signal };
        page = nextPageKey ? await client.list({ nextPageKey }, options) : await client.list(params, options);
        break;
      } catch (error) {
        const wait = error instanceof ApiTokensError && error.status === 429 ? error.retryAfterMs : undefined;
        if (wait === undefined) throw error;
        if (Date.now() + wait > deadline.endsAt)
          throw new ThrottledError(
            `throttled (HTTP 429): asked to wait ${seconds(wait)}, past the ${seconds(deadline.ms)} deadline (--deadline)`,
          );
        onThrottled(wait);
        await sleep(wait, deadline.signal);
      }
    }
    yield page;
    nextPageKey = page.nextPageKey ?? undefined;
    if (nextPageKey !== undefined) {
      if (seen.has(nextPageKey)) throw new RepeatedCursorError("the server sent the same nextPageKey twice");
      seen.add(nextPageKey);
    }
  } while (nextPageKey);
}

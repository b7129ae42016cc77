/**
 * A promise that settles as `promise` does, or rejects with the signal's reason as soon as the signal
 * aborts (at once when it already has). The work behind `promise` goes on: a shared request to SSO
 * still serves other callers; credentials that ignore the signal cannot hold a call past its timeout.
 * @internal
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

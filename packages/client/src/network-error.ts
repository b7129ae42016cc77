// What fetch's network errors say (undici puts the code on `cause`, sometimes inside an AggregateError).

/** The network error's code (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`), also inside an AggregateError. @internal */
export function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | undefined)?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * What a network error says, in short: its code, else its cause's message, else its own (fetch's
 * error for a 407 has a cause with an empty message). @internal
 */
export function errorText(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const causeMessage = cause instanceof Error ? cause.message : undefined;
  return errorCode(error) ?? (causeMessage || (error as Error | undefined)?.message || String(error));
}

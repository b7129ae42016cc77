// Runs openapi-fetch requests through the request loop: the methods' calls (data or a typed error)
// and the fetch under `raw` (openapi-fetch's usual result, bodies read under the timeout).
import { InvalidInputError } from "./errors.js";
import { isJsonObject } from "./json-object.js";
import { type CallSettings, callSettings } from "./options.js";
import { startCall, type Transport } from "./request.js";
import type { RequestOptions } from "./types.js";

/** What openapi-fetch resolves to. */
interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/**
 * What a method's call expects back: a page of tokens (list; `page` for API tokens, `{ listOf }`
 * naming the list's field otherwise), a new token with its id and secret (create), a JSON object
 * (get, lookup) or nothing (update, delete).
 */
export type Expected = "page" | "created" | "object" | "nothing" | { listOf: string };

/** Why a 2xx body is not what the call expects (for the error's message), or undefined when it is. */
function whatIsWrong(data: unknown, expected: Expected): string | undefined {
  if (expected === "nothing") return undefined;
  if (!isJsonObject(data)) return data === undefined ? "an empty body" : "not a JSON object";
  // A POST that a redirect turned into a GET, or a proxy's answer, is not a new token.
  if (expected === "created")
    return typeof data.id === "string" && typeof data.token === "string"
      ? undefined
      : "no new token (a create answers its id and secret)";
  if (expected === "object") return undefined;
  const listOf = expected === "page" ? "apiTokens" : expected.listOf;
  // A cursor of another type, or items that are not a list of objects, would fail later, untyped.
  const { nextPageKey } = data;
  const items = data[listOf];
  if (nextPageKey != null && typeof nextPageKey !== "string") return "a nextPageKey that is not a string";
  if (items != null && !(Array.isArray(items) && items.every(isJsonObject)))
    return `${listOf} that are not a list of ${listOf === "activeGates" ? "ActiveGates" : "tokens"}`;
  return undefined;
}

/**
 * Runs one method call: `send` runs the openapi-fetch request with the given fetch. Resolves to the
 * parsed body; throws a typed error for a non-2xx answer, a failure, a body that is not the API's.
 * @internal
 */
export async function callApi<T>(
  defaults: CallSettings,
  transport: Transport,
  options: RequestOptions | undefined,
  expected: Expected,
  send: (fetch: (request: Request) => Promise<Response>) => Promise<FetchResult>,
): Promise<T> {
  const call = startCall(callSettings(defaults, options), transport);
  try {
    const { data, error, response } = await send(call.send);
    if (!response.ok) throw call.errorForResponse(response, error);
    const wrong = whatIsWrong(data, expected);
    if (wrong !== undefined) throw call.errorForBody(response, wrong);
    return data as T;
  } catch (thrown) {
    // encodeURIComponent (openapi-fetch's query serializer) throws on a lone UTF-16 surrogate.
    if (thrown instanceof URIError) throw new InvalidInputError("query: expected valid Unicode");
    throw call.errorFromThrown(thrown);
  } finally {
    call.finish();
  }
}

/**
 * The fetch under `raw`: the request loop with the client's settings and the Request's own signal;
 * the body is read under the attempt's timeout and handed on buffered, with the response's `url` and
 * `redirected` kept.
 * @internal
 */
export function rawFetch(defaults: CallSettings, transport: Transport) {
  return async (request: Request): Promise<Response> => {
    const call = startCall({ ...defaults, signal: request.signal }, transport);
    try {
      const response = await call.send(request);
      return copyWithBody(response, await response.arrayBuffer());
    } catch (thrown) {
      throw call.errorFromThrown(thrown);
    } finally {
      call.finish();
    }
  };
}

/** A Response with the same status and headers and this body, keeping `url` and `redirected` (which `new Response` cannot set). */
function copyWithBody(response: Response, body: ArrayBuffer): Response {
  const copy = new Response(body.byteLength > 0 ? body : null, response);
  Object.defineProperties(copy, {
    url: { value: response.url },
    redirected: { value: response.redirected },
  });
  return copy;
}

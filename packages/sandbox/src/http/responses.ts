/** Response bodies: JSON with Dynatrace's media type, and ErrorEnvelopes for errors. */
import type { ErrorEnvelope } from "@dt-tokens/types";
import type { HttpError } from "../errors.js";
import type { Ctx } from "./context.js";

const JSON_TYPE = "application/json; charset=utf-8";

export function json<T extends object>(c: Ctx, status: 200 | 201, body: T): Response {
  return c.body(JSON.stringify(body), status, { "content-type": JSON_TYPE });
}

/** A body serialized earlier (a cached list page), sent as it is. */
export function serializedJson(c: Ctx, status: 200, body: Uint8Array<ArrayBuffer>): Response {
  return c.body(body, status, { "content-type": JSON_TYPE });
}

export function errorResponse(error: HttpError): Response {
  const body: ErrorEnvelope = error.toEnvelope();
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: { "content-type": JSON_TYPE, ...error.headers },
  });
}

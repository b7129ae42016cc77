/**
 * Request bodies: read only by routes that take one, after authentication, up to MAX_BODY_BYTES,
 * and parsed as a JSON object.
 */
import { createMiddleware } from "hono/factory";
import { badRequest, HttpError, quoteInput, violation } from "../errors.js";
import type { Ctx, Env } from "./context.js";

const MAX_BODY_BYTES = 1024 * 1024;
/** Over the limit, the rest is read and discarded up to this much, so the client reads a clean 413. */
const DRAIN_LIMIT = 64 * MAX_BODY_BYTES;

const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json$/;

/** 415 unless the content type is JSON (a missing one is read as JSON). */
function checkContentType(c: Ctx): void {
  const type = c.req.header("content-type");
  if (type === undefined || type.trim() === "") return;
  const media = type.split(";")[0]!.trim().toLowerCase();
  if (!JSON_MEDIA_TYPE.test(media)) {
    throw new HttpError(
      415,
      `Unsupported content type '${quoteInput(media)}': send application/json; charset=utf-8.`,
    );
  }
}

/** The whole body as text: 413 over MAX_BODY_BYTES, 400 when it cannot be read. */
export async function readText(c: Ctx): Promise<string> {
  const stream = c.req.raw.body;
  if (!stream) return "";
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size <= MAX_BODY_BYTES) chunks.push(value);
      else if (size > DRAIN_LIMIT) {
        c.env?.incoming?.socket.destroy();
        break;
      }
    }
  } catch {
    throw new HttpError(400, "The request body could not be read.");
  }
  if (size > MAX_BODY_BYTES) {
    throw new HttpError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB).`);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads a JSON object body into `c.var.body`: 415, 413, or 400 for an empty or malformed one. */
export const jsonBody = createMiddleware<Env>(async (c, next) => {
  checkContentType(c);
  const text = await readText(c);
  if (text.trim() === "") {
    throw badRequest([violation("body", "PAYLOAD_BODY", "A JSON request body is required.")]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest([violation("body", "PAYLOAD_BODY", "The request body is not valid JSON.")]);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest([violation("body", "PAYLOAD_BODY", "The request body must be a JSON object.")]);
  }
  c.set("body", value as Record<string, unknown>);
  await next();
});

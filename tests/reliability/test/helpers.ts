/**
 * Shared helpers of the reliability suite: the sandbox bin as a child process, a seeded PRNG,
 * ErrorEnvelope checks and secret scanning. Everything runs against real servers on 127.0.0.1.
 */
import { type SandboxProcess, startSandboxProcess } from "@dt-tokens/sandbox";
import { expect } from "vitest";

/** The sandbox bin in a child process (the package's own helper; turbo builds it before these tests). */
export type RunningBin = SandboxProcess;
export const startBin = (args: string[], env: Record<string, string> = {}): Promise<RunningBin> =>
  startSandboxProcess(args, { env });
/** Stops it with SIGTERM and waits for it. */
export const stopBin = (bin: RunningBin): Promise<void> => bin.close();

/** mulberry32: a small seeded PRNG, so that random choices in tests repeat with their seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Envelope {
  error: {
    code: number;
    message: string;
    constraintViolations?: { path: string; message: string; parameterLocation: string; location?: string }[];
  };
}

/** Asserts that a response text is an ErrorEnvelope for `status` and returns it. */
export function expectEnvelope(
  status: number,
  text: string,
  contentType: string | null,
  context = "",
): Envelope {
  expect(contentType, context).toMatch(/^application\/json/);
  const body = JSON.parse(text) as Envelope;
  expect(body, context).toHaveProperty("error");
  expect(body.error.code, context).toBe(status);
  expect(typeof body.error.message, context).toBe("string");
  expect(body.error.message.length, context).toBeGreaterThan(0);
  for (const v of body.error.constraintViolations ?? []) {
    expect(typeof v.path, context).toBe("string");
    expect(["HEADER", "PATH", "PAYLOAD_BODY", "QUERY"], context).toContain(v.parameterLocation);
  }
  return body;
}

/** The forms in which a secret could leak: whole, its 64-character private part, and encodings of it. */
export function secretForms(secret: string): string[] {
  const priv = secret.slice(secret.lastIndexOf(".") + 1);
  return [
    secret,
    priv,
    priv.toLowerCase(),
    Buffer.from(priv).toString("base64"),
    Buffer.from(priv).toString("hex"),
    Buffer.from(secret).toString("base64url"),
  ];
}

/** Every secret form found in a text or buffer (as latin1 and as UTF-16). */
export function findSecrets(haystack: string | Buffer, secrets: readonly string[]): string[] {
  const texts =
    typeof haystack === "string" ? [haystack] : [haystack.toString("latin1"), haystack.toString("utf16le")];
  const found: string[] = [];
  for (const secret of secrets)
    for (const form of secretForms(secret))
      if (texts.some((t) => t.includes(form))) found.push(`${secret.slice(0, 31)}… as ${form.slice(0, 12)}…`);
  return found;
}

/** p-th percentile (0..100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

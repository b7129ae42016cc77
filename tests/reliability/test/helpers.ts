/**
 * Shared helpers of the reliability suite: the sandbox bin as a child process, a seeded PRNG,
 * ErrorEnvelope checks and secret scanning. Everything runs against real servers on 127.0.0.1.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { expect } from "vitest";

const require = createRequire(import.meta.url);

/** The built `dt-tokens-sandbox` bin (turbo builds @dt-tokens/sandbox before these tests run). */
export const SANDBOX_BIN = join(dirname(require.resolve("@dt-tokens/sandbox/package.json")), "dist/bin.js");

export interface RunningBin {
  child: ChildProcess;
  ready: { url: string; apiBase: string; bootstrapToken?: string };
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a node script as a child process and resolves once it printed its first line (the sandbox's ready line). */
export async function startBin(
  args: string[],
  env: Record<string, string> = {},
  script = SANDBOX_BIN,
): Promise<RunningBin> {
  if (!existsSync(script)) throw new Error(`${script} is missing: build the package first (turbo does).`);
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => {
    out += d;
  });
  child.stderr!.on("data", (d) => {
    err += d;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const ready = await new Promise<RunningBin["ready"]>((resolve, reject) => {
    const onData = () => {
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        child.stdout!.off("data", onData);
        resolve(JSON.parse(out.slice(0, nl)));
      }
    };
    child.stdout!.on("data", onData);
    void exit.then(({ code }) => reject(new Error(`${script} exited (${code}) before it was ready: ${err}`)));
  });
  return { child, ready, stdout: () => out, stderr: () => err, exit };
}

/** Stops a child with SIGTERM and waits for it. */
export async function stopBin(bin: RunningBin): Promise<void> {
  if (bin.child.exitCode === null && bin.child.signalCode === null) bin.child.kill("SIGTERM");
  await bin.exit;
}

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

/**
 * After-commit faults: the request is processed (a write is committed) and its response is then lost,
 * by a dropped connection or a 5xx. And 429 as an injected status, with Retry-After.
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseSandboxArgs, UsageError } from "../src/cli.js";
import { Faults } from "../src/faults.js";
import type { RequestLogEntry } from "../src/index.js";
import { api, start } from "./helpers.js";

let sandbox: Awaited<ReturnType<typeof start>> | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** A request whose connection may be dropped: the status, or "dropped". */
async function attempt(url: string, init: RequestInit): Promise<number | "dropped"> {
  try {
    const res = await fetch(url, init);
    await res.text();
    return res.status;
  } catch {
    return "dropped";
  }
}

describe("after-commit faults", () => {
  it("commits every create, then drops the connection or answers 5xx instead of 201", async () => {
    const entries: RequestLogEntry[] = [];
    sandbox = await start({ faults: { seed: 5, afterCommitRate: 1 }, log: (e) => entries.push(e) });
    const before = sandbox.tokenCount();
    const outcomes: (number | "dropped")[] = [];
    for (let i = 0; i < 20; i++) {
      outcomes.push(
        await attempt(`${sandbox.apiBase}/apiTokens`, {
          method: "POST",
          headers: { authorization: `Api-Token ${sandbox.token}`, "content-type": "application/json" },
          body: JSON.stringify({ name: `after-${i}`, scopes: ["metrics.read"] }),
        }),
      );
    }
    console.log(`after-commit creates: ${JSON.stringify(outcomes)}`);
    // every create was applied although no client saw a 201
    expect(sandbox.tokenCount()).toBe(before + 20);
    expect(outcomes).not.toContain(201);
    expect(outcomes).toContain("dropped");
    expect(outcomes.filter((o) => o === 500 || o === 503).length).toBeGreaterThan(0);
    expect(new Set(outcomes)).toEqual(new Set(["dropped", 500, 503]));
    expect(entries.map((e) => e.event)).toEqual(Array(20).fill("fault-after-commit"));
  });

  it("applies an update before its response is lost", async () => {
    sandbox = await start();
    const [target] = sandbox.seed([{ name: "old", scopes: ["metrics.read"] }]);
    sandbox.setFaults({ afterCommitRate: 1, errorStatuses: [503], retryAfterSeconds: 3 });
    const r = await fetch(`${sandbox.apiBase}/apiTokens/${target!.id}`, {
      method: "PUT",
      headers: { authorization: `Api-Token ${sandbox.token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "new", scopes: ["logs.read"] }),
    }).catch(() => undefined);
    if (r) {
      // the 5xx variant: 503 with Retry-After, an ErrorEnvelope
      expect(r.status).toBe(503);
      expect(r.headers.get("retry-after")).toBe("3");
      expect(((await r.json()) as { error: { code: number } }).error.code).toBe(503);
    }
    sandbox.setFaults(undefined);
    const got = await api(sandbox, "GET", `/apiTokens/${target!.id}`, { token: sandbox.token });
    expect(got.body).toMatchObject({ name: "new", scopes: ["logs.read"] });
  });

  it("never answers 429 after processing (a 429 promises nothing happened)", () => {
    const faults = new Faults({ seed: 3, afterCommitRate: 1, errorStatuses: [429] });
    const seen = Array.from({ length: 200 }, () => {
      const d = faults.next();
      return d.kind === "none" && d.afterCommit
        ? d.afterCommit.kind === "drop"
          ? "drop"
          : d.afterCommit.status
        : d.kind;
    });
    expect(new Set(seen)).toEqual(new Set(["drop", 503]));
  });

  it("leaves the before-processing faults of a seed as they were", () => {
    const plain = new Faults({ seed: 21, errorRate: 0.3, dropRate: 0.1, latencyMs: [0, 9] });
    const mixed = new Faults({
      seed: 21,
      errorRate: 0.3,
      dropRate: 0.1,
      latencyMs: [0, 9],
      afterCommitRate: 0.4,
    });
    const a = Array.from({ length: 500 }, () => plain.next());
    const b = Array.from({ length: 500 }, () => mixed.next());
    const strip = (d: (typeof b)[number]) => ({ ...d, afterCommit: undefined });
    expect(b.map(strip)).toEqual(a.map(strip));
    const afterCommits = b.filter((d) => d.kind === "none" && d.afterCommit).length;
    console.log(`500 decisions: ${afterCommits} after-commit faults`);
    expect(afterCommits).toBeGreaterThan(100);
    expect(afterCommits).toBeLessThan(300);
    // and it repeats with the seed
    const again = new Faults({
      seed: 21,
      errorRate: 0.3,
      dropRate: 0.1,
      latencyMs: [0, 9],
      afterCommitRate: 0.4,
    });
    expect(Array.from({ length: 500 }, () => again.next())).toEqual(b);
  });

  it("rejects a rate outside 0..1", () => {
    expect(() => new Faults({ afterCommitRate: 1.5 })).toThrow(/afterCommitRate/);
    expect(() => new Faults({ afterCommitRate: -0.1 })).toThrow(/afterCommitRate/);
  });

  it("is a flag of the bin: --fault-after-commit-rate", () => {
    expect(parseSandboxArgs(["--fault-after-commit-rate", "0.25"], {})).toMatchObject({
      sandbox: { faults: { afterCommitRate: 0.25 } },
    });
    expect(() => parseSandboxArgs(["--fault-after-commit-rate", "2"], {})).toThrow(UsageError);
    expect(() => parseSandboxArgs(["--fault-after-commit-rate", "x"], {})).toThrow(
      /--fault-after-commit-rate/,
    );
  });
});

describe("429 as an injected status", () => {
  it("answers 429 with Retry-After and an ErrorEnvelope, and writes nothing", async () => {
    sandbox = await start({ faults: { errorRate: 1, errorStatuses: [429], retryAfterSeconds: 0 } });
    const before = sandbox.tokenCount();
    const r = await api(sandbox, "POST", "/apiTokens", {
      token: sandbox.token,
      body: { name: "n", scopes: ["metrics.read"] },
      faults: true,
    });
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("0");
    expect(r.body.error).toMatchObject({ code: 429 });
    expect(sandbox.tokenCount()).toBe(before);
  });

  it("still rejects statuses that are neither 5xx nor 429", () => {
    expect(() => new Faults({ errorStatuses: [404] })).toThrow(/errorStatuses/);
    expect(() => new Faults({ errorStatuses: [429, 503] })).not.toThrow();
  });
});

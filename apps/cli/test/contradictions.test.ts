/**
 * One rule for flags that contradict each other: `--x` with `--no-x`, and a command's own pairs
 * (`update --enable --disable`), given together, are a usage error (exit 2) naming both, in either
 * order, before anything is sent; never the last one silently winning.
 */
import { generateTokenSecret } from "@dt-tokens/sandbox";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../src/program.js";
import { fakeApi } from "./child.js";
import { knowSecrets, run } from "./helpers.js";

const TOKEN = generateTokenSecret();
knowSecrets(TOKEN);
const ID = TOKEN.split(".").slice(0, 2).join(".");
let api: Awaited<ReturnType<typeof fakeApi>>;

beforeAll(async () => {
  api = await fakeApi();
});
afterAll(() => api?.close());

const cli = (args: string[], stdin?: string) =>
  run(undefined, args, {
    env: { DT_ENV_URL: api.url, DT_API_TOKEN: TOKEN },
    ...(stdin !== undefined && { stdin }),
  });

/** Every command (the program's tree, as commander holds it) and each `--x` it has with `--no-x`. */
function negatablePairs(): [string[], string][] {
  const sink = { write: () => true } as unknown as NodeJS.WriteStream;
  const program = buildProgram({ stdout: sink, stderr: sink, stdin: process.stdin, env: {} }, () => {});
  const found: [string[], string][] = [];
  const visit = (command: Command, path: string[]) => {
    const longs = new Set(command.options.map((o) => o.long));
    for (const long of longs)
      if (long?.startsWith("--no-") && longs.has(`--${long.slice(5)}`)) found.push([path, long.slice(5)]);
    for (const sub of command.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return found;
}

describe("contradictory flags", () => {
  it("every --x given with its --no-x is refused (exit 2), in either order, and nothing is sent", async () => {
    const pairs = negatablePairs();
    // list, audit and rotate have --personal and --no-personal today; a new pair is covered too.
    expect(pairs.map(([path, flag]) => `${path.join(" ")} --${flag}`)).toEqual(
      expect.arrayContaining(["list --personal", "audit --personal", "rotate --personal"]),
    );
    for (const [path, flag] of pairs) {
      for (const order of [
        [`--${flag}`, `--no-${flag}`],
        [`--no-${flag}`, `--${flag}`],
      ]) {
        const r = await cli([...path, ...order]);
        expect([path, order, r.code]).toEqual([path, order, 2]);
        expect(r.stderr).toContain(`error: ${order[0]} and ${order[1]} exclude each other; give one of them`);
      }
    }
    expect(api.requests).toEqual([]);
  });

  it("each command's own pairs follow the same rule: update, leak, scan", async () => {
    const cases: [string[], string, string][] = [
      [["update", ID, "--enable", "--disable"], "--enable", "--disable"],
      [["update", ID, "--disable", "--name", "x", "--enable"], "--disable", "--enable"],
      [["leak", "--report-only", "--delete"], "--report-only", "--delete"],
      [["leak", "--delete", "--report-only"], "--delete", "--report-only"],
      [["leak", "--replace", "--to", "file:x.token", "--report-only"], "--replace", "--report-only"],
      [["scan", "--verify", "--emit-secrets", "-"], "--verify", "--emit-secrets"],
    ];
    for (const [args, first, second] of cases) {
      const r = await cli(args, `leaked: ${TOKEN}\n`);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr).toContain(`error: ${first} and ${second} exclude each other; give one of them`);
    }
    expect(api.requests).toEqual([]);
  });

  it("a flag given twice, or one side alone, is not a contradiction", async () => {
    const result = cli(["list", "--personal", "--personal", "-o", "json"]);
    (await api.next()).respond(200, { totalCount: 0, pageSize: 100, apiTokens: [] });
    const r = await result;
    expect([r.code, r.stdout.trim()]).toEqual([0, "[]"]);
  });
});

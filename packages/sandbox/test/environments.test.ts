/**
 * Many environments in one sandbox process (`--environments N`, Managed-style `/e/<id>/api/v2`):
 * each with its own tokens and bootstrap token, isolated from the others (a token of one is unknown
 * in another, with the same 401 Dynatrace gives for any unknown token), seeded per environment,
 * listed in the ready line and written as a dt-tokens config; the default environment unchanged.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runSandboxCli } from "../src/cli.js";
import { generateTokenSecret, type SandboxProcess, startSandbox } from "../src/index.js";
import { api } from "./helpers.js";
import { startBin } from "./process.js";

const dir = mkdtempSync(join(tmpdir(), "dt-sandbox-envs-"));
const started: SandboxProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((p) => p.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function bin(args: string[]) {
  const p = await startBin(["--quiet", ...args]);
  started.push(p);
  return p;
}

interface Ready {
  environmentId: string;
  url: string;
  apiBase: string;
  bootstrapToken?: string;
  environments?: { id: string; apiBase: string; bootstrapToken?: string }[];
}

describe("--environments", () => {
  it("hosts N isolated environments, each seeded and with its own bootstrap token", async () => {
    const config = join(dir, "fleet", "config.yaml");
    const p = await bin([
      "--db",
      ":memory:",
      "--environments",
      "3",
      "--seed-demo",
      "20",
      "--write-config",
      config,
    ]);
    const ready = p.ready as Ready;
    expect(Object.keys(ready)).toEqual([
      "url",
      "environmentId",
      "apiBase",
      "platformBase",
      "tokenUrl",
      "accountUrn",
      "bootstrapToken",
      "platformToken",
      "oauthClientId",
      "oauthClientSecret",
      "environments",
    ]);
    expect(ready.environments!.map((e) => e.id)).toEqual(["env01", "env02", "env03"]);
    for (const e of ready.environments!) {
      expect(e.apiBase).toBe(`${ready.url}/e/${e.id}/api/v2`);
      expect(e.bootstrapToken).toMatch(/^dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}$/);
    }
    expect(p.stderr()).toContain("dt-tokens-sandbox: seeded 3 of 3 environments.\n");

    const [a, b] = ready.environments!;
    const prefix = (id: string) => `/e/${id}/api/v2`;
    const listed = async (id: string, token: string) =>
      api(p.ready, "GET", "/apiTokens?pageSize=100&fields=name", { token, prefix: prefix(id) });
    const inA = await listed(a!.id, a!.bootstrapToken!);
    const inB = await listed(b!.id, b!.bootstrapToken!);
    expect(inA.status).toBe(200);
    expect(inA.body.totalCount).toBe(21);
    expect(inB.body.totalCount).toBe(21);
    // Seeded with a different demo seed each: not the same environment twice.
    expect(inA.body.apiTokens.map((t: { id: string }) => t.id)).not.toEqual(
      inB.body.apiTokens.map((t: { id: string }) => t.id),
    );

    // A token created in A exists only in A.
    const created = await api(p.ready, "POST", "/apiTokens", {
      token: a!.bootstrapToken!,
      prefix: prefix(a!.id),
      body: { name: "only-in-a", scopes: ["metrics.read"] },
    });
    expect(created.status).toBe(201);
    const inBById = await api(p.ready, "GET", `/apiTokens/${created.body.id}`, {
      token: b!.bootstrapToken!,
      prefix: prefix(b!.id),
    });
    expect(inBById.status).toBe(404);
    // Nor does the default environment know it, or the others' tokens.
    expect((await api(p.ready, "GET", "/apiTokens", { token: a!.bootstrapToken! })).status).toBe(401);

    // The isolation test: A's token in B gets exactly the 401 of a token B never saw.
    const foreign = await listed(b!.id, a!.bootstrapToken!);
    const unknown = await listed(b!.id, generateTokenSecret());
    const created401 = await listed(b!.id, created.body.token);
    for (const r of [foreign, created401]) {
      expect(r.status).toBe(401);
      expect(r.text).toBe(unknown.text);
      expect(r.headers.get("content-type")).toBe(unknown.headers.get("content-type"));
      expect(r.headers.get("www-authenticate")).toBe(unknown.headers.get("www-authenticate"));
    }
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ error: { code: 401, message: "Token Authentication failed." } });

    // A page key of A is not one of B's.
    const page = await api(p.ready, "GET", "/apiTokens?pageSize=5", {
      token: a!.bootstrapToken!,
      prefix: prefix(a!.id),
    });
    const foreignKey = await api(
      p.ready,
      "GET",
      `/apiTokens?nextPageKey=${encodeURIComponent(page.body.nextPageKey)}`,
      {
        token: b!.bootstrapToken!,
        prefix: prefix(b!.id),
      },
    );
    expect(foreignKey.status).toBe(400);

    // An environment it does not host.
    // (not through api(): a list answering 404 is outside the spec, as the environment is)
    const missing = await fetch(`${ready.url}/e/env99/api/v2/apiTokens`, {
      headers: { authorization: `Api-Token ${a!.bootstrapToken}` },
    });
    expect(missing.status).toBe(404);
    const said = ((await missing.json()) as { error: { message: string } }).error.message;
    expect(said).toBe(
      'No environment "env99" in this sandbox: use an environment id from its ready line (environmentId, environments[].id).',
    );
    // it names no id the sandbox serves (the 404 comes before any authentication)
    for (const id of ["env01", "env02", "env03", ready.environmentId]) expect(said).not.toContain(id);

    // --write-config: a dt-tokens config whose credentials are 0600 files beside it.
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(parse(readFileSync(config, "utf8"))).toEqual({
      current: "env01",
      environments: Object.fromEntries(
        ready.environments!.map((e) => [
          e.id,
          { url: `${ready.url}/e/${e.id}`, apiToken: `file:${e.id}.token` },
        ]),
      ),
    });
    for (const e of ready.environments!) {
      const file = join(dir, "fleet", `${e.id}.token`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, "utf8")).toBe(`${e.bootstrapToken}\n`);
    }
    expect(readFileSync(config, "utf8")).not.toMatch(/dt0c01\.\w+\.\w+/);
  });

  it("keeps each environment's database beside the default one, across restarts", async () => {
    const db = join(dir, "files", "tokens.db");
    const first = await bin(["--db", db, "--environments", "2", "--seed-demo", "5"]);
    const env2 = (first.ready as Ready).environments![1]!;
    expect(statSync(join(dir, "files", "tokens.env01.db")).isFile()).toBe(true);
    await first.close();
    const again = await bin(["--db", db, "--environments", "2", "--seed-demo", "5"]);
    const ready = again.ready as Ready;
    // Not generated again (the databases hold tokens), so not printed; the old secret still works.
    expect(ready.environments).toEqual([
      { id: "env01", apiBase: `${ready.url}/e/env01/api/v2` },
      { id: "env02", apiBase: `${ready.url}/e/env02/api/v2` },
    ]);
    expect(again.stderr()).toContain("seeded 0 of 2 environments (the others already held tokens)");
    const listed = await api(again.ready, "GET", "/apiTokens", {
      token: env2.bootstrapToken!,
      prefix: "/e/env02/api/v2",
    });
    expect(listed.body.totalCount).toBe(6);
  });

  it("leaves the single environment exactly as it was without --environments", async () => {
    const p = await bin(["--db", ":memory:"]);
    expect(Object.keys(p.ready)).toEqual([
      "url",
      "environmentId",
      "apiBase",
      "platformBase",
      "tokenUrl",
      "accountUrn",
      "bootstrapToken",
      "platformToken",
      "oauthClientId",
      "oauthClientSecret",
    ]);
    const token = p.ready.bootstrapToken!;
    for (const prefix of ["/api/v2", `/e/${p.ready.environmentId}/api/v2`])
      expect((await api(p.ready, "GET", "/apiTokens", { token, prefix })).status).toBe(200);
    const platform = await api(p.ready, "GET", "/apiTokens", {
      prefix: "/platform/classic/environment-api/v2",
      headers: { authorization: `Bearer ${p.ready.platformToken}` },
    });
    expect(platform.status).toBe(200);
  });

  it("refuses a bad --environments and reports a config it cannot write", async () => {
    let err = "";
    const stderr = { write: (t: string) => (err += t) };
    expect(await runSandboxCli(["--environments", "0"], { stderr, handleSignals: false })).toBe(2);
    expect(err).toContain("--environments must be a whole number from 1 to 1000, got '0'.");
    err = "";
    const blocked = join(dir, "blocked");
    writeFileSync(blocked, "a file, not a directory");
    const code = await runSandboxCli(
      ["--db", ":memory:", "--quiet", "--environments", "1", "--write-config", join(blocked, "config.yaml")],
      { stderr, stdout: { write: () => {} }, handleSignals: false },
    );
    expect(code).toBe(1);
    expect(err).toMatch(/^dt-tokens-sandbox: cannot write --write-config .*blocked\/config.yaml: EEXIST/m);
  });
});

describe("--write-config over an existing file", () => {
  it("replaces a config the sandbox wrote, and never a user's own config", async () => {
    let err = "";
    const io = {
      stderr: { write: (t: string) => (err += t) },
      stdout: { write: () => {} },
      handleSignals: false,
    };
    const own = join(dir, "own.yaml");
    const mine =
      "current: prod\nenvironments:\n  prod:\n    url: https://abc12345.live.dynatrace.com\n    apiToken: env:PROD\n";
    writeFileSync(own, mine);
    const args = (path: string) => [
      "--db",
      ":memory:",
      "--quiet",
      "--environments",
      "1",
      "--write-config",
      path,
    ];
    expect(await runSandboxCli(args(own), { ...io, signal: AbortSignal.abort() })).toBe(1);
    expect(err).toContain(
      `dt-tokens-sandbox: cannot write --write-config ${own}: the file exists and was not written by dt-tokens-sandbox`,
    );
    expect(readFileSync(own, "utf8")).toBe(mine);

    const generated = join(dir, "generated", "config.yaml");
    // Stopped as soon as it is ready (an aborted signal), twice: the second run replaces the first's file.
    for (const _ of [1, 2])
      expect(await runSandboxCli(args(generated), { ...io, signal: AbortSignal.abort() })).toBe(0);
    expect(readFileSync(generated, "utf8")).toContain("env01");
  });

  // Was a bug: a token file beside the config (a user's own env01.token) was overwritten, and a
  // symlink there (or at the config's path) was replaced by a file.
  it("never overwrites a token file it did not write, nor replaces a symlink", async () => {
    let err = "";
    const io = {
      stderr: { write: (t: string) => (err += t) },
      stdout: { write: () => {} },
      handleSignals: false,
    };
    const args = (path: string) => [
      "--db",
      ":memory:",
      "--quiet",
      "--environments",
      "1",
      "--write-config",
      path,
    ];
    const userDir = join(dir, "user-tokens");
    mkdirSync(userDir);
    writeFileSync(join(userDir, "env01.token"), "the user's own secret\n");
    expect(
      await runSandboxCli(args(join(userDir, "config.yaml")), { ...io, signal: AbortSignal.abort() }),
    ).toBe(1);
    expect(err).toContain("env01.token exists and was not written by dt-tokens-sandbox");
    expect(readFileSync(join(userDir, "env01.token"), "utf8")).toBe("the user's own secret\n");
    expect(existsSync(join(userDir, "config.yaml"))).toBe(false);

    const linkDir = join(dir, "links");
    mkdirSync(linkDir);
    writeFileSync(join(linkDir, "elsewhere"), "kept\n");
    symlinkSync(join(linkDir, "elsewhere"), join(linkDir, "env01.token"));
    err = "";
    expect(
      await runSandboxCli(args(join(linkDir, "config.yaml")), { ...io, signal: AbortSignal.abort() }),
    ).toBe(1);
    expect(err).toContain("env01.token is a symbolic link");
    expect(lstatSync(join(linkDir, "env01.token")).isSymbolicLink()).toBe(true);
    symlinkSync(join(linkDir, "elsewhere"), join(linkDir, "linked.yaml"));
    err = "";
    expect(
      await runSandboxCli(args(join(linkDir, "linked.yaml")), { ...io, signal: AbortSignal.abort() }),
    ).toBe(1);
    expect(err).toContain("it is a symbolic link");
    expect(readFileSync(join(linkDir, "elsewhere"), "utf8")).toBe("kept\n");
  });
});

describe("startSandbox({ environments })", () => {
  it("gives a handle per environment: seed, reset and count touch only that one", async () => {
    const s = await startSandbox({ environments: ["abc12345", "1f2e3d4c-5b6a"] });
    try {
      const [x, y] = s.environments;
      expect(x!.url).toBe(`${s.url}/e/abc12345`);
      x!.seed([{ name: "a" }, { name: "b" }]);
      expect([x!.tokenCount(), y!.tokenCount(), s.tokenCount()]).toEqual([3, 1, 1]);
      x!.reset();
      expect(x!.tokenCount()).toBe(1);
      await expect(startSandbox({ environments: ["a/b"] })).rejects.toThrow(
        /environment id "a\/b" is not valid/,
      );
      await expect(startSandbox({ environments: ["a", "a"] })).rejects.toThrow(
        'environment id "a" is given twice.',
      );
    } finally {
      await s.close();
    }
  });
});

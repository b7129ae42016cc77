/**
 * Bad days, end to end on the built bin: writes whose answer was lost (exit 6), a secret that
 * cannot be delivered (a full disk, Ctrl-C), write errors (exit 7), signals (130, 143), and the one
 * table of exit statuses that the help and the README print.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTokenSecret, startSandboxProcess } from "@dt-tokens/sandbox";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT_STATUSES } from "../src/errors.js";
import { fakeApi, startCli } from "./child.js";
import { ID, run, useSandbox } from "./helpers.js";

const { sandbox, seed } = useSandbox();
const NO_STACK = /^\s+at /m;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const devFull = () => {
  const fd = openSync("/dev/full", "w");
  cleanups.push(() => closeSync(fd));
  return fd;
};

const env = () => ({ DT_ENV_URL: sandbox().url, DT_API_TOKEN: sandbox().bootstrapToken! });

describe("a write whose answer was lost", () => {
  it("create, update and delete say the outcome is unknown, how to check, and exit 6", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dt-tokens-cli-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, "tokens.db");
    const bootstrap = generateTokenSecret();
    const withEnv = { env: { DT_SANDBOX_BOOTSTRAP_TOKEN: bootstrap } };
    // Seed a token to update and delete, on a healthy server first.
    const healthy = await startSandboxProcess(["--db", db, "--quiet"], withEnv);
    const seeded = await run(
      undefined,
      ["create", "--name", "target", "--scope", "metrics.read", "-o", "json"],
      { env: { DT_ENV_URL: healthy.ready.url, DT_API_TOKEN: bootstrap } },
    );
    const target = JSON.parse(seeded.stdout).id as string;
    await healthy.close();

    const faulty = await startSandboxProcess(
      ["--db", db, "--quiet", "--fault-after-commit-rate", "1"],
      withEnv,
    );
    const at = { env: { DT_ENV_URL: faulty.ready.url, DT_API_TOKEN: bootstrap } };
    const created = await run(undefined, ["create", "--name", "lost answer", "--scope", "metrics.read"], at);
    expect(created.code).toBe(6);
    expect(created.stdout).toBe("");
    expect(created.stderr).toMatch(
      /^error: the outcome is unknown: the request was sent, then .*; the token "lost answer" may or may not have been created\n/,
    );
    expect(created.stderr).toContain("hint: check before retrying: dt-tokens list --name 'lost answer'\n");
    expect(created.stderr).not.toContain("nothing was changed");
    const updated = await run(undefined, ["update", target, "--name", "renamed"], at);
    expect([updated.code, updated.stderr]).toEqual([6, expect.stringContaining(`dt-tokens get ${target}`)]);
    const deleted = await run(undefined, ["delete", target, "--yes"], at);
    expect([deleted.code, deleted.stderr]).toEqual([
      6,
      expect.stringContaining("may or may not have been deleted"),
    ]);
    await faulty.close();

    // The create did happen: the check the CLI suggested finds it.
    const after = await startSandboxProcess(["--db", db, "--quiet"], withEnv);
    cleanups.push(() => after.close());
    const check = await run(undefined, ["list", "--name", "lost answer", "-o", "json"], {
      env: { DT_ENV_URL: after.ready.url, DT_API_TOKEN: bootstrap },
    });
    expect(JSON.parse(check.stdout)).toHaveLength(1);
  });
});

describe("a secret that cannot be delivered", () => {
  it("create > /dev/full deletes the token it just made, says so in one line, exit 7", async () => {
    const cli = startCli(["create", "--name", "full disk", "--scope", "metrics.read"], env(), devFull());
    expect(await cli.exit).toBe(7);
    const stderr = cli.stderr();
    expect(stderr).toMatch(
      /^error: the new secret could not be written to stdout: no space left on the device \(ENOSPC\); the token dt0c01\.[A-Z2-7]{24} was deleted again, so nothing was changed\n$/,
    );
    expect(stderr).not.toMatch(NO_STACK);
    expect(sandbox().tokenCount()).toBe(1); // only the bootstrap token
  });

  it("create -o json > /dev/full: the same", async () => {
    const cli = startCli(
      ["create", "--name", "j", "--scope", "metrics.read", "-o", "json"],
      env(),
      devFull(),
    );
    expect(await cli.exit).toBe(7);
    expect(sandbox().tokenCount()).toBe(1);
  });

  it("when the token cannot be deleted either, names its id and how to delete it", async () => {
    const api = await fakeApi();
    cleanups.push(api.close);
    const secret = generateTokenSecret();
    const id = secret.split(".").slice(0, 2).join(".");
    const cli = startCli(
      ["create", "--name", "x", "--scope", "metrics.read"],
      { DT_ENV_URL: api.url, DT_API_TOKEN: generateTokenSecret() },
      devFull(),
    );
    const post = await api.next();
    expect([post.method, post.url]).toEqual(["POST", "/api/v2/apiTokens"]);
    post.respond(201, { id, token: secret });
    const del = await api.next();
    expect([del.method, del.url]).toEqual(["DELETE", `/api/v2/apiTokens/${id}`]);
    del.respond(403, { error: { code: 403, message: "Forbidden" } });
    expect(await cli.exit).toBe(7);
    expect(cli.stderr()).toContain(`the token ${id} was created but could not be deleted`);
    expect(cli.stderr()).toContain(
      `hint: its secret is lost: delete it with \`dt-tokens delete ${id} --yes\``,
    );
    expect(cli.stderr()).not.toContain(secret.split(".")[2]);
    expect(cli.stderr()).not.toMatch(NO_STACK);
  });

  it("Ctrl-C while the token is being created: it is created, then deleted again; exit 130", async () => {
    const api = await fakeApi();
    cleanups.push(api.close);
    const secret = generateTokenSecret();
    const id = secret.split(".").slice(0, 2).join(".");
    const cli = startCli(["create", "--name", "x", "--scope", "metrics.read"], {
      DT_ENV_URL: api.url,
      DT_API_TOKEN: generateTokenSecret(),
    });
    const post = await api.next();
    cli.child.kill("SIGINT");
    await cli.stderrShows("stopping: finishing the current step safely");
    post.respond(201, { id, token: secret });
    const del = await api.next();
    expect([del.method, del.url]).toEqual(["DELETE", `/api/v2/apiTokens/${id}`]);
    del.respond(204);
    expect(await cli.exit).toBe(130);
    expect(cli.stdout()).toBe("");
    expect(cli.stderr()).toContain(
      `error: interrupted before the new secret was shown; the token ${id} was deleted again, so nothing was changed\n`,
    );
  });

  it("a second Ctrl-C quits at once and says what may exist and how to check", async () => {
    const api = await fakeApi();
    cleanups.push(api.close);
    const cli = startCli(["create", "--name", "two presses", "--scope", "metrics.read"], {
      DT_ENV_URL: api.url,
      DT_API_TOKEN: generateTokenSecret(),
    });
    await api.next();
    cli.child.kill("SIGINT");
    await cli.stderrShows("stopping:");
    cli.child.kill("SIGINT");
    expect(await cli.exit).toBe(130);
    expect(cli.stderr()).toContain(
      `error: interrupted. a token named "two presses" may have been created; check with: dt-tokens list --name 'two presses'\n`,
    );
  });
});

describe("write errors and signals", () => {
  it("list, get and audit > /dev/full: one line, exit 7, no stack trace", async () => {
    const [t] = seed([{ name: "a", scopes: ["metrics.read"] }]);
    for (const args of [["list"], ["list", "-o", "json"], ["get", t!.id], ["audit"], ["scopes"]]) {
      const cli = startCli(args, env(), devFull());
      expect(await cli.exit, args.join(" ")).toBe(7);
      expect(cli.stderr(), args.join(" ")).toMatch(
        /(^|\n)error: could not write to stdout: no space left on the device \(ENOSPC\)\n$/,
      );
      expect(cli.stderr().match(/error:/g), args.join(" ")).toHaveLength(1);
      expect(cli.stderr()).not.toMatch(NO_STACK);
    }
  });

  it("a closed pipe is not an error: exit 0, nothing on stderr", async () => {
    seed(Array.from({ length: 300 }, (_, i) => ({ name: `t${i}`, scopes: ["metrics.read" as const] })));
    const cli = startCli(["list", "-o", "ndjson", "--page-size", "100"], env());
    cli.child.stdout!.once("data", () => cli.child.stdout!.destroy());
    expect(await cli.exit).toBe(0);
    expect(cli.stderr()).toBe("");
  });

  it("Ctrl-C during list -o json leaves no half document: nothing on stdout, exit 130", async () => {
    const api = await fakeApi();
    cleanups.push(api.close);
    const cli = startCli(["list", "-o", "json", "--page-size", "100"], {
      DT_ENV_URL: api.url,
      DT_API_TOKEN: generateTokenSecret(),
    });
    const first = await api.next();
    first.respond(200, {
      totalCount: 2,
      pageSize: 1,
      nextPageKey: "page2",
      apiTokens: [{ id: "dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA", name: "one" }],
    });
    await api.next(); // the second page is never answered
    cli.child.kill("SIGINT");
    expect(await cli.exit).toBe(130);
    expect(cli.stdout()).toBe("");
    expect(cli.stderr()).toBe("\nerror: interrupted.\n");
  });

  it("SIGTERM: exit 143", async () => {
    const api = await fakeApi();
    cleanups.push(api.close);
    const cli = startCli(["list"], { DT_ENV_URL: api.url, DT_API_TOKEN: generateTokenSecret() });
    await api.next();
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toBe(143);
  });
});

describe("exit statuses", () => {
  it("one table: the help and the README list the same statuses and meanings", async () => {
    const help = await run(undefined, ["--help"]);
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const { code, meaning } of EXIT_STATUSES) {
      expect(help.stdout).toContain(`  ${String(code).padEnd(3)}  ${meaning}\n`);
      expect(readme).toMatch(
        new RegExp(`^\\| ${code} +\\| ${meaning.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} +\\|$`, "m"),
      );
    }
  });

  it("no command prints the help on stderr and exits 2", async () => {
    const r = await run(undefined, []);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^Usage: dt-tokens /);
  });

  it("every status has a test: 0 to 5 elsewhere, 6, 7, 130 and 143 above, 8 to 10 in doctor.test.ts, 11 and 12 in leak.test.ts, 13 in activegate-rotate.test.ts, 129 in rotate-crash.test.ts", () => {
    expect(EXIT_STATUSES.map((s) => s.code)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 129, 130, 143,
    ]);
    expect(ID.test("dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA")).toBe(true);
  });
});

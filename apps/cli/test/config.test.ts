/**
 * Named environments: the config file (every credential source, the refusal of a literal secret,
 * schema errors with line numbers), `env list|add|remove|use` and `--env`, against real sandboxes.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Sandbox, startSandbox } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BIN, knowSecrets, run, useSandbox } from "./helpers.js";

const { sandbox, seed } = useSandbox();
let other: Sandbox;
let dir: string;
let config: string;

beforeAll(async () => {
  other = await startSandbox({ host: "127.0.0.1", port: 0, database: ":memory:" });
  knowSecrets(other.bootstrapToken);
});
afterAll(() => other?.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dt-tokens-config-"));
  config = join(dir, "config.yaml");
  return () => rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI with the test's config file and no DT_ENV_URL / DT_API_TOKEN. */
const dt = (args: string[], env: Record<string, string | undefined> = {}) =>
  run(sandbox(), args, { bare: true, env: { DT_TOKENS_CONFIG: config, ...env } });

const names = (stdout: string) => (JSON.parse(stdout) as { name: string }[]).map((t) => t.name);

describe("env add, list, use, remove", () => {
  it("writes a config file (mode 0600) that list, --env and use read", async () => {
    seed([{ name: "in-main" }]);
    other.seed([{ name: "in-other" }]);
    const tokens = { MAIN_TOKEN: sandbox().bootstrapToken!, OTHER_TOKEN: other.bootstrapToken! };
    const add1 = await dt([
      "env",
      "add",
      "main",
      "--url",
      sandbox().url,
      "--api-token-ref",
      "env:MAIN_TOKEN",
    ]);
    expect(add1).toMatchObject({ code: 0, stdout: "" });
    expect(add1.stderr).toBe(
      `Added environment main (${sandbox().url}) in ${config}; it is the current environment.\n`,
    );
    const add2 = await dt(["env", "add", "other", "--url", other.url, "--api-token-ref", "env:OTHER_TOKEN"]);
    expect(add2.stderr).toBe(`Added environment other (${other.url}) in ${config}.\n`);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(readFileSync(config, "utf8")).toBe(
      `current: main\nenvironments:\n  main:\n    url: ${sandbox().url}\n    apiToken: env:MAIN_TOKEN\n  other:\n    url: ${other.url}\n    apiToken: env:OTHER_TOKEN\n`,
    );

    const listed = await dt(["env", "list"]);
    expect(listed.stdout.split("\n")[0]).toMatch(/^ +NAME +URL +CREDENTIAL +FROM$/);
    expect(listed.stdout).toMatch(/^\* +main +http:\/\/127\.0\.0\.1:\d+ +api-token +env:MAIN_TOKEN$/m);

    // The current environment, then --env, then `use`.
    expect(names((await dt(["list", "-o", "json"], tokens)).stdout)).toContain("in-main");
    expect(names((await dt(["--env", "other", "list", "-o", "json"], tokens)).stdout)).toContain("in-other");
    expect((await dt(["env", "use", "other"])).stderr).toBe(
      `The current environment is other (${other.url}).\n`,
    );
    expect(names((await dt(["list", "-o", "json"], tokens)).stdout)).toContain("in-other");
    // DT_ENV_URL and a token still win over the file's current environment.
    const viaVars = await dt(["list", "-o", "json"], {
      DT_ENV_URL: sandbox().url,
      DT_API_TOKEN: sandbox().bootstrapToken!,
    });
    expect(names(viaVars.stdout)).toContain("in-main");

    expect((await dt(["env", "remove", "other"])).stderr).toBe(
      `Removed environment other from ${config}; there is no current environment now (dt-tokens env use <name>).\n`,
    );
    expect(JSON.parse((await dt(["env", "list", "-o", "json"])).stdout)).toEqual([
      { name: "main", current: false, url: sandbox().url, kind: "api-token", source: "env:MAIN_TOKEN" },
    ]);
  });

  it("loses no environment when several env add run at once", async () => {
    const count = 8;
    const added = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        dt(["env", "add", `e${i}`, "--url", sandbox().url, "--api-token-ref", `env:T${i}`]),
      ),
    );
    expect(added.map((r) => r.code)).toEqual(Array(count).fill(0));
    const listed = JSON.parse((await dt(["env", "list", "-o", "json"])).stdout) as { name: string }[];
    expect(listed.map((e) => e.name).sort()).toEqual(Array.from({ length: count }, (_, i) => `e${i}`).sort());
    expect(readdirSync(dir)).toEqual(["config.yaml"]);
  });

  it("writes through a symlinked config file (a dangling one too) and leaves the link in place", async () => {
    mkdirSync(join(dir, "dotfiles"));
    rmSync(config, { force: true });
    symlinkSync(join("dotfiles", "dt-tokens.yaml"), config);
    expect((await dt(["env", "add", "a", "--url", sandbox().url, "--api-token-ref", "env:A"])).code).toBe(0);
    expect((await dt(["env", "add", "b", "--url", sandbox().url, "--api-token-ref", "env:B"])).code).toBe(0);
    expect((await dt(["env", "use", "b"])).code).toBe(0);
    expect((await dt(["env", "remove", "a"])).code).toBe(0);
    expect(lstatSync(config).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "dotfiles", "dt-tokens.yaml"), "utf8")).toBe(
      `current: b\nenvironments:\n  b:\n    url: ${sandbox().url}\n    apiToken: env:B\n`,
    );
    expect(statSync(join(dir, "dotfiles", "dt-tokens.yaml")).mode & 0o777).toBe(0o600);
  });

  it("keeps comments when it changes the file, and refuses a duplicate name without --force", async () => {
    writeFileSync(
      config,
      `# our fleet\nenvironments:\n  main: # the big one\n    url: ${sandbox().url}\n    apiToken: env:A\n`,
    );
    const dup = await dt(["env", "add", "main", "--url", other.url, "--api-token-ref", "env:B"]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain(`error: ${config} already has an environment named "main"`);
    expect(
      (await dt(["env", "add", "main", "--url", other.url, "--api-token-ref", "env:B", "--force"])).code,
    ).toBe(0);
    const text = readFileSync(config, "utf8");
    expect(text).toContain("# our fleet");
    expect(text).toContain(`url: ${other.url}`);
  });

  it("reads anchors, aliases and << merge keys, and keeps the aliases' values when their anchor is replaced or removed", async () => {
    seed([{ name: "in-main" }]);
    writeFileSync(
      config,
      `current: base\nenvironments:\n  base: &base\n    url: ${sandbox().url}\n    apiToken: env:MAIN_TOKEN\n  copy: *base\n  merged:\n    <<: *base\n    description: shares base\n`,
    );
    const env = { MAIN_TOKEN: sandbox().bootstrapToken! };
    const listed = await dt(["env", "list", "--output", "json"]);
    expect(listed.stderr).toBe("");
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { name: "base", url: sandbox().url },
      { name: "copy", url: sandbox().url },
      { name: "merged", url: sandbox().url, description: "shares base" },
    ]);
    const replaced = await dt([
      "env",
      "add",
      "base",
      "--url",
      other.url,
      "--api-token-ref",
      "env:B",
      "--force",
    ]);
    expect(replaced).toMatchObject({ code: 0, stdout: "" });
    expect((await dt(["env", "remove", "copy"])).code).toBe(0);
    for (const name of ["merged"]) {
      const tokens = await dt(["list", "--env", name, "--output", "json"], env);
      expect(tokens.stderr).toBe("");
      expect(names(tokens.stdout)).toContain("in-main");
    }
    expect((await dt(["env", "remove", "base"])).stderr).toContain("Removed environment base");
    expect(JSON.parse((await dt(["env", "list", "--output", "json"])).stdout)).toMatchObject([
      { name: "merged", url: sandbox().url, description: "shares base" },
    ]);
  });

  it("refuses a secret given to env add, without echoing it, and writes nothing", async () => {
    const secret = sandbox().bootstrapToken!;
    const child = dtWithSecretArg(secret);
    expect(child.code).toBe(2);
    expect(child.stderr).toContain(
      "error: --api-token-ref takes a reference to the secret, never the secret itself: env:VAR, file:PATH or exec:COMMAND",
    );
    expect(child.stderr).toContain("hint: a token secret was given as an argument");
    expect(child.stderr).not.toContain(secret.split(".")[2]);
    expect(() => statSync(config)).toThrow();
  });

  it("refuses a URL that is not an environment URL, and writes nothing", async () => {
    const r = await dt(["env", "add", "x", "--url", "ftp://nope", "--api-token-ref", "env:A"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: --url: "ftp://nope" is not an environment URL; expected https://<env-id>.live.dynatrace.com, https://<host>/e/<env-id>, or an API base ending in /api/v2 or /platform/classic/environment-api/v2\nnothing was sent.\n',
    );
    expect(() => statSync(config)).toThrow();
  });

  it("says which environments exist when --env names none, and refuses several for one-environment commands", async () => {
    writeFileSync(config, `environments:\n  prod:\n    url: ${sandbox().url}\n    apiToken: env:A\n`);
    const unknown = await dt(["--env", "prd", "list"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      `error: no environment named "prd" in ${config}\nhint: the environments are prod\nhint: did you mean prod?\nnothing was sent.\n`,
    );
    const several = await dt(["--env", "prod,prod2", "get", "dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA"]);
    expect(several.stderr).toBe(
      "error: --env: this command works on one environment, got 2 (audit and list take several)\nnothing was sent.\n",
    );
    const noFile = await dt(["--env", "prod", "list"], { DT_TOKENS_CONFIG: join(dir, "none.yaml") });
    expect(noFile.stderr).toContain(
      `error: no environment named "prod": there is no config file at ${join(dir, "none.yaml")}`,
    );
  });

  it("finds the file in $XDG_CONFIG_HOME/dt-tokens, else ~/.config/dt-tokens", async () => {
    const add = (env: Record<string, string | undefined>) =>
      dt(["env", "add", "x", "--url", sandbox().url, "--api-token-ref", "env:A"], {
        DT_TOKENS_CONFIG: undefined,
        ...env,
      });
    await add({ XDG_CONFIG_HOME: join(dir, "xdg"), HOME: join(dir, "home") });
    expect(statSync(join(dir, "xdg", "dt-tokens", "config.yaml")).isFile()).toBe(true);
    await add({ HOME: join(dir, "home") });
    expect(statSync(join(dir, "home", ".config", "dt-tokens", "config.yaml")).isFile()).toBe(true);
  });
});

/**
 * `env add ... --api-token-ref <secret>`: the secret in the CLI's argv, as a user might type it
 * (run() refuses that, so this spawns the bin itself).
 */
function dtWithSecretArg(secret: string) {
  const r = spawnSync(
    process.execPath,
    [BIN, "env", "add", "p", "--url", sandbox().url, "--api-token-ref", secret],
    { env: { PATH: process.env.PATH ?? "", DT_TOKENS_CONFIG: config }, encoding: "utf8" },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("credential references", () => {
  const write = (credential: string) =>
    writeFileSync(
      config,
      `current: main\nenvironments:\n  main:\n    url: ${sandbox().url}\n    ${credential}\n`,
    );

  it("resolves env:, file: (relative to the config file, ~/) and exec:", async () => {
    seed([{ name: "reached" }]);
    const token = sandbox().bootstrapToken!;
    writeFileSync(join(dir, "main.token"), `${token}\n`, { mode: 0o600 });
    const cases: [string, Record<string, string>][] = [
      ["apiToken: env:MAIN", { MAIN: token }],
      ["apiToken: file:main.token", {}],
      [`apiToken: file:${join(dir, "main.token")}`, {}],
      ["apiToken: file:~/main.token", { HOME: dir }],
      ["apiToken: exec:cat main.token", {}],
      ['apiToken: "exec:printf %s \\"$SECRET_FOR_EXEC\\""', { SECRET_FOR_EXEC: token }],
    ];
    for (const [credential, env] of cases) {
      write(credential);
      const r = await dt(["list", "-o", "json"], env);
      expect({ credential, code: r.code, stderr: r.stderr }).toEqual({ credential, code: 0, stderr: "" });
      expect(names(r.stdout)).toContain("reached");
    }
  });

  it("says which reference failed and why, without a secret (exit 2)", async () => {
    const cases: [string, string][] = [
      [
        "apiToken: env:MISSING",
        "error: environment main: apiToken: env:MISSING: MISSING is not set or empty\n",
      ],
      [
        "apiToken: file:nope.token",
        `error: environment main: apiToken: file:nope.token: cannot read ${join(dir, "nope.token")} (ENOENT)\n`,
      ],
      [
        "apiToken: exec:echo vault is sealed >&2; exit 3",
        "error: environment main: apiToken: exec:echo vault is sealed >&2; exit 3: the command exited with status 3: vault is sealed\n",
      ],
      ["apiToken: exec:true", "error: environment main: apiToken: exec:true: the command printed nothing\n"],
      [
        "apiToken: exec:echo two words",
        'error: environment main: apiToken exec:echo two words does not hold a token secret: expected the bare secret (dt0c01.<24 characters>.<64 characters>), without "Api-Token " or spaces\n',
      ],
    ];
    for (const [credential, message] of cases) {
      write(credential);
      const r = await dt(["list"]);
      expect({ credential, code: r.code, stderr: r.stderr }).toEqual({
        credential,
        code: 2,
        // A credential that is not a token secret is a usage error of the CLI's own checks.
        stderr: message.includes("does not hold a token secret") ? `${message}nothing was sent.\n` : message,
      });
    }
  });

  it("reads only a regular file of at most 64 KiB: a FIFO or a device is refused instead of blocking or filling memory", async () => {
    seed([{ name: "reached" }]);
    writeFileSync(join(dir, "main.token"), `${sandbox().bootstrapToken}\n`, { mode: 0o600 });
    execFileSync("mkfifo", [join(dir, "pipe")]);
    writeFileSync(join(dir, "big"), `${"a".repeat(70_000)}\n`, { mode: 0o600 });
    const entry = (name: string, ref: string) =>
      `  ${name}:\n    url: ${sandbox().url}\n    apiToken: ${ref}\n`;
    writeFileSync(
      config,
      `environments:\n${entry("main", "file:main.token")}${entry("pipe", "file:pipe")}${entry("zero", "file:/dev/zero")}${entry("big", "file:big")}${entry("dir", `file:${dir}`)}`,
    );
    const r = await dt(["audit", "--all-environments", "-o", "json"]);
    expect(r.code).toBe(4);
    const report = JSON.parse(r.stdout) as {
      environments: { name: string; status: string; reason?: string }[];
    };
    expect(report.environments.map((e) => [e.name, e.status, e.reason])).toEqual([
      ["main", "ok", undefined],
      [
        "pipe",
        "failed",
        `apiToken: file:pipe: ${join(dir, "pipe")} is not a regular file (a pipe, socket or device); reference a file that holds the secret on its first line`,
      ],
      [
        "zero",
        "failed",
        "apiToken: file:/dev/zero: /dev/zero is not a regular file (a pipe, socket or device); reference a file that holds the secret on its first line",
      ],
      [
        "big",
        "failed",
        `apiToken: file:big: ${join(dir, "big")} has 70001 bytes; a credential file holds the secret on its first line (at most 65536 bytes)`,
      ],
      [
        "dir",
        "failed",
        `apiToken: file:${dir}: ${dir} is not a regular file (a directory); reference a file that holds the secret on its first line`,
      ],
    ]);
  });

  it("warns when a credential file can be read by other users", async () => {
    writeFileSync(join(dir, "main.token"), `${sandbox().bootstrapToken}\n`);
    chmodSync(join(dir, "main.token"), 0o644);
    write("apiToken: file:main.token");
    const r = await dt(["list", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `warning: ${join(dir, "main.token")} can be read by other users; restrict it with: chmod 600 '${join(dir, "main.token")}'\n`,
    );
  });
});

describe("config file validation", () => {
  it("refuses a literal secret with the line, the field and how to reference it, never the secret", async () => {
    const secret = sandbox().bootstrapToken!;
    writeFileSync(
      config,
      `# prod\nenvironments:\n  prod:\n    url: ${sandbox().url}\n    apiToken: ${secret}\n  hidden:\n    url: ${sandbox().url}\n    apiToken: "exec:echo ${secret}"\n`,
    );
    const r = await dt(["env", "list"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        `error: ${config} is not a valid dt-tokens config`,
        `  ${config}:5:15: environments.prod.apiToken: a secret is never written in the config file; reference it instead: env:VAR, file:PATH or exec:COMMAND`,
        `  ${config}:8:15: environments.hidden.apiToken: a secret is never written in the config file; reference it instead: env:VAR, file:PATH or exec:COMMAND`,
        "",
      ].join("\n"),
    );
  });

  it("refuses a secret anywhere in the file (a comment, a description, a name, current), never repeating it", async () => {
    const secret = sandbox().bootstrapToken!;
    const publicPart = secret.split(".").slice(0, 2).join(".");
    writeFileSync(
      config,
      [
        `current: ${secret}`,
        "environments:",
        "  prod:",
        `    url: ${sandbox().url} # old: ${secret}`,
        `    description: rotated from ${secret}`,
        "    apiToken: env:PROD",
        `  ${secret}:`,
        `    url: ${sandbox().url}`,
        "    apiToken: env:B",
        "",
      ].join("\n"),
    );
    const r = await dt(["env", "list"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain(secret);
    const inFile =
      "a secret is never written in the config file (not in a comment, a name or a description either); remove it, and reference credentials instead: env:VAR, file:PATH or exec:COMMAND";
    expect(r.stderr.split("\n")).toEqual([
      `error: ${config} is not a valid dt-tokens config`,
      `  ${config}:1:10: ${inFile}`,
      `  ${config}:4:${sandbox().url.length + 18}: ${inFile}`,
      `  ${config}:5:31: ${inFile}`,
      `  ${config}:7:3: environments.${publicPart}.[REDACTED]: environment names are letters, digits, '.', '_' and '-', starting with a letter or digit (at most 63)`,
      `  ${config}:7:3: ${inFile}`,
      "",
    ]);
    // env add refuses to write to such a file, so the secret is not copied further.
    const before = readFileSync(config, "utf8");
    const add = await dt(["env", "add", "b", "--url", sandbox().url, "--api-token-ref", "env:B"]);
    expect(add.code).toBe(2);
    expect(add.stderr).not.toContain(secret);
    expect(readFileSync(config, "utf8")).toBe(before);
  });

  it("names the line and the field of every schema error", async () => {
    writeFileSync(
      config,
      [
        "environments:",
        "  stg:",
        "    url: ftp://nope",
        "    token: env:X",
        "  two creds:",
        "    url: https://abc12345.live.dynatrace.com",
        "    apiToken: env:A",
        "    platformToken: env:B",
        "  oauth:",
        "    url: https://abc12345.apps.dynatrace.com",
        "    oauthClient:",
        "      clientId: dt0s02.ABCDEFGH",
        "      clientSecret: env:S",
        "      accountUrn: nope",
        "",
      ].join("\n"),
    );
    const r = await dt(["--env", "stg", "list"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")).toEqual([
      `error: ${config} is not a valid dt-tokens config`,
      `  ${config}:3:10: environments.stg.url: expected an environment URL: https://<env-id>.live.dynatrace.com, https://<host>/e/<env-id>, or an API base ending in /api/v2 or /platform/classic/environment-api/v2 (http:// only to this machine)`,
      `  ${config}:4:5: environments.stg.token: unknown field "token"; expected url, description, timeout, apiToken, platformToken, oauthClient`,
      `  ${config}:5:3: environments.two creds: environment names are letters, digits, '.', '_' and '-', starting with a letter or digit (at most 63)`,
      `  ${config}:5:3: environments.two creds: expected exactly one credential: apiToken, platformToken, oauthClient`,
      `  ${config}:14:19: environments.oauth.oauthClient.accountUrn: expected the account URN: urn:dtaccount:<account-uuid>`,
      "",
    ]);
  });

  it("reports YAML syntax errors and duplicate keys with their line", async () => {
    writeFileSync(config, "environments:\n  a:\n    url: x\n  a:\n    url: y\n");
    const dup = await dt(["env", "list"]);
    expect(dup.stderr).toBe(
      `error: ${config} is not a valid dt-tokens config\n  ${config}:4:3: Map keys must be unique\n`,
    );
    writeFileSync(config, "current: [a\n");
    const syntax = await dt(["env", "list"]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(
      new RegExp(`^error: ${config} is not a valid dt-tokens config\\n  ${config}:\\d+:\\d+: `),
    );
  });

  it("takes an empty file or an empty environments: as no environments, and refuses lists and scalars", async () => {
    for (const text of ["", "environments:\n", "# nothing yet\n"]) {
      writeFileSync(config, text);
      expect((await dt(["env", "list", "-o", "json"])).stdout).toBe("[]\n");
    }
    const cases: [string, string][] = [
      ["[]\n", "1:1: expected a mapping with current and environments"],
      ["7\n", "1:1: expected a mapping with current and environments"],
      [
        "environments: []\n",
        "1:15: environments: expected environments by name (name: { url, apiToken }), not a list",
      ],
      [
        "environments:\n  a: 5\n",
        "2:3: environments.a: expected a mapping with url, description, timeout, apiToken, platformToken, oauthClient",
      ],
    ];
    for (const [text, problem] of cases) {
      writeFileSync(config, text);
      const r = await dt(["env", "add", "b", "--url", sandbox().url, "--api-token-ref", "env:B"]);
      expect({ text, code: r.code, stderr: r.stderr }).toEqual({
        text,
        code: 2,
        stderr: `error: ${config} is not a valid dt-tokens config\n  ${config}:${problem}\n`,
      });
      expect(readFileSync(config, "utf8")).toBe(text);
    }
  });

  it("takes environment names as written (123, 0x1F, 010, true): env use, remove and add --force find them", async () => {
    const entry = (name: string) => `  ${name}:\n    url: ${sandbox().url}\n    apiToken: env:A\n`;
    writeFileSync(config, `environments:\n${entry("123")}${entry("0x1F")}${entry("010")}${entry("true")}`);
    const listed = JSON.parse((await dt(["env", "list", "-o", "json"])).stdout) as { name: string }[];
    expect(listed.map((e) => e.name)).toEqual(["123", "0x1F", "010", "true"]);
    expect((await dt(["env", "use", "010"])).code).toBe(0);
    expect((await dt(["env", "remove", "123"])).code).toBe(0);
    expect(
      (await dt(["env", "add", "0x1F", "--url", sandbox().url, "--api-token-ref", "env:B", "--force"])).code,
    ).toBe(0);
    expect(readFileSync(config, "utf8")).toBe(
      `current: "010"\nenvironments:\n  "0x1F":\n    url: ${sandbox().url}\n    apiToken: env:B\n  "010":\n    url: ${sandbox().url}\n    apiToken: env:A\n  "true":\n    url: ${sandbox().url}\n    apiToken: env:A\n`,
    );
    // A current name YAML reads as a number says how to write it.
    writeFileSync(config, `current: 123\nenvironments:\n${entry("123")}`);
    expect((await dt(["env", "list"])).stderr).toBe(
      `error: ${config} is not a valid dt-tokens config\n  ${config}:1:10: current: expected the name of an environment (quote a name YAML would read as a number or a boolean: "123")\n`,
    );
  });

  it("refuses a config file any user can change, before running any of its exec: commands", async () => {
    writeFileSync(
      config,
      `environments:\n  a:\n    url: ${sandbox().url}\n    apiToken: "exec:touch ran; echo x"\n`,
    );
    chmodSync(config, 0o666);
    const r = await dt(["--env", "a", "list"]);
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toBe(
      `error: ${config} is not a valid dt-tokens config\n  ${config}:1:1: any user can change it (mode 0666), and it names the commands dt-tokens runs (exec:) and where credentials are sent; restrict it with: chmod o-w '${config}'\n`,
    );
    expect(readdirSync(dir)).toEqual(["config.yaml"]);
    chmodSync(config, 0o664);
    expect((await dt(["env", "list"])).code).toBe(0);
  });

  it("refuses aliases that expand past the limit (a billion laughs) as a config error, not a crash", async () => {
    let text = 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]\n';
    for (let i = 1; i < 10; i++)
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(", ")}]\n`;
    writeFileSync(config, `${text}environments: {}\n`);
    const r = await dt(["env", "list"]);
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toBe(
      `error: ${config} is not a valid dt-tokens config\n  ${config}:1:1: Excessive alias count indicates a resource exhaustion attack\n`,
    );
  });

  it("says when current names no environment", async () => {
    writeFileSync(
      config,
      `current: nope\nenvironments:\n  a:\n    url: ${sandbox().url}\n    apiToken: env:A\n`,
    );
    const r = await dt(["list"]);
    expect(r.stderr).toBe(
      `error: ${config} is not a valid dt-tokens config\n  ${config}:1:10: current: names no environment of this file\n`,
    );
  });
});

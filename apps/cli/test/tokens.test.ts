/** get, create, update, delete and lookup, against the sandbox (rotate: rotate.test.ts). */

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTokenSecret } from "@dt-tokens/sandbox";
import { describe, expect, it } from "vitest";
import { DAY, ID, knowSecrets, leaks, plain, run, SECRET, useSandbox } from "./helpers.js";

const { sandbox, seed } = useSandbox();

const tokenJson = async (id: string) => {
  const r = await run(sandbox(), ["get", id, "-o", "json"]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown> & { scopes: string[] };
};

/** A secret of the right shape that the sandbox never issued; registered so that it must never show. */
const unknownSecret = () => {
  const secret = generateTokenSecret();
  knowSecrets(secret);
  return secret;
};

const NOT_FOUND = (id: string) =>
  `error: Token with ID ${id} not found. (HTTP 404 Not Found)\nhint: \`dt-tokens list\` shows the ids of existing tokens (a 404 there too means the environment id in the URL is wrong)\n`;

describe("get", () => {
  it("shows every field of a token as a readable list, or as JSON, NDJSON or CSV", async () => {
    const [t] = seed([
      {
        name: "grafana",
        owner: "alice",
        scopes: ["metrics.read", "entities.read"],
        lastUsedDate: "2025-01-02T03:04:05.000Z",
        lastUsedIpAddress: "203.0.113.9",
        expirationDate: "now+30d",
        additionalMetadata: { team: "obs" },
      },
    ]);
    const r = await run(sandbox(), ["get", t!.id]);
    expect(r.code).toBe(0);
    const text = plain(r.stdout);
    expect(text).toMatch(new RegExp(`^ID +${t!.id}$`, "m"));
    expect(text).toMatch(/^Name +grafana$/m);
    expect(text).toMatch(/^Owner +alice$/m);
    expect(text).toMatch(/^Last used +2025-01-02 03:04 UTC \(\d+ (months|years) ago\)$/m);
    expect(text).toMatch(/^Last used from +203\.0\.113\.9$/m);
    expect(text).toMatch(/^Scopes +metrics\.read\n +entities\.read$/m);
    expect(text).toMatch(/^Metadata +\{"team":"obs"\}$/m);
    const json = await tokenJson(t!.id);
    expect(json).toMatchObject({ id: t!.id, name: "grafana", scopes: ["metrics.read", "entities.read"] });
    const nd = await run(sandbox(), ["get", t!.id, "-o", "ndjson"]);
    expect(JSON.parse(nd.stdout)).toEqual(json);
    expect(nd.stdout.trimEnd().split("\n")).toHaveLength(1);
    const csv = await run(sandbox(), ["get", t!.id, "-o", "csv"]);
    const [head, row] = csv.stdout.trimEnd().split("\n");
    expect(head!.split(",")).toEqual(Object.keys(json));
    expect(row).toContain("metrics.read entities.read");
  });

  it("an unknown id is the API's 404 in plain words, exit 1", async () => {
    const r = await run(sandbox(), ["get", "dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, "", NOT_FOUND("dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA")]);
  });

  it("refuses a secret given as the id, without repeating it", async () => {
    const secret = unknownSecret();
    // The secret is only ever assembled in the child's argv by this test, on purpose.
    const r = await run(sandbox(), ["get", `${secret.slice(0, 31)}.${"A".repeat(64)}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: that argument is a token secret, not a token id: secrets are never accepted as arguments\nhint: pass the id (the first two parts, dt0c01.<24 characters>); the secret may now be in your shell history\nnothing was sent.\n",
    );
    expect(r.stderr).not.toContain("A".repeat(64));
  });
});

describe("create", () => {
  it("prints the secret alone on stdout and the once-only warning on stderr", async () => {
    const r = await run(
      sandbox(),
      [
        "create",
        "--name",
        "ci",
        "--scope",
        "metrics.read",
        "--scope",
        "logs.ingest,entities.read",
        "--expires",
        "now+30d",
      ],
      {
        printsSecret: true,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}\n$/);
    const secret = r.stdout.trim();
    const id = secret.split(".").slice(0, 2).join(".");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      new RegExp(
        `^Created token ${id.replace(".", "\\.")} "ci" \\(expires \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, in \\d+ days\\)\\.$`,
      ),
    );
    expect(lines[1]).toBe(
      "warning: the secret above is shown only once and cannot be retrieved again: store it now (e.g. in a secret manager)",
    );
    const token = await tokenJson(id);
    expect(token).toMatchObject({ name: "ci", owner: "admin", personalAccessToken: false, enabled: true });
    expect(token.scopes).toEqual(["metrics.read", "logs.ingest", "entities.read"]);
    const expires = Date.parse(token.expirationDate as string);
    expect(Math.abs(expires - (Date.now() + 30 * DAY))).toBeLessThan(DAY);
    // The secret works: it looks itself up.
    const lookup = await run(sandbox(), ["lookup", "-o", "json"], {
      stdin: `${secret}\n`,
      env: { DT_API_TOKEN: undefined },
    });
    expect(JSON.parse(lookup.stdout).id).toBe(id);
  });

  it("--to delivers the secret to sinks instead of stdout (a new file is 0600), -o json names them without the secret", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dt-create-to-"));
    try {
      const r = await run(sandbox(), [
        "create",
        "--name",
        "shipper",
        "--scope",
        "logs.ingest",
        "--to",
        `file:${dir}/{id}.token`,
        "--to",
        `dotenv:${dir}/app.env#DT_TOKEN`,
        "-o",
        "json",
      ]);
      expect(r.code, r.stderr).toBe(0);
      const record = JSON.parse(r.stdout) as { id: string; sinks: string[]; token?: string };
      expect(record.token).toBeUndefined();
      expect(record.id).toMatch(ID);
      expect(record.sinks).toEqual([`file:${dir}/${record.id}.token`, `dotenv:${dir}/app.env#DT_TOKEN`]);
      const file = `${dir}/${record.id}.token`;
      const secret = readFileSync(file, "utf8").trim();
      expect(secret).toMatch(SECRET);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(`${dir}/app.env`, "utf8")).toContain(`DT_TOKEN=${secret}`);
      expect(r.stdout + r.stderr).not.toContain(secret);
      expect(r.stderr).toMatch(/its secret went to file:/);
      const lookup = await run(sandbox(), ["lookup", "-o", "json"], {
        stdin: `${secret}\n`,
        env: { DT_API_TOKEN: undefined },
      });
      expect(JSON.parse(lookup.stdout).id).toBe(record.id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--to: a sink that cannot work is refused before anything is created; one that fails puts the others back and deletes the token (exit 7)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dt-create-to-"));
    try {
      const before = sandbox().tokenCount();
      const missing = await run(sandbox(), [
        "create",
        "--name",
        "x",
        "--scope",
        "logs.ingest",
        "--to",
        `file:${dir}/no-such-dir/x.token`,
      ]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/does not exist/);
      expect(sandbox().tokenCount()).toBe(before);

      writeFileSync(`${dir}/kept.token`, "the old secret\n", { mode: 0o640 });
      const failing = await run(sandbox(), [
        "create",
        "--name",
        "x",
        "--scope",
        "logs.ingest",
        "--to",
        `file:${dir}/kept.token`,
        "--to",
        "exec:cat >/dev/null; exit 3",
      ]);
      expect(failing.code, failing.stderr).toBe(7);
      expect(failing.stderr).toMatch(/could not be delivered.*was deleted again/);
      expect(readFileSync(`${dir}/kept.token`, "utf8")).toBe("the old secret\n");
      expect(statSync(`${dir}/kept.token`).mode & 0o777).toBe(0o640);
      expect(sandbox().tokenCount()).toBe(before);
      expect(failing.stdout).toBe("");

      const both = await run(sandbox(), [
        "create",
        "--name",
        "x",
        "--scope",
        "logs.ingest",
        "--to",
        "stdout",
        "-o",
        "json",
      ]);
      expect(both.code).toBe(2);
      expect(sandbox().tokenCount()).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("creates personal access tokens and tokens that never expire", async () => {
    const r = await run(sandbox(), ["create", "--name", "mine", "--scope", "apiTokens.read", "--personal"], {
      printsSecret: true,
    });
    expect(r.code).toBe(0);
    expect(r.stderr.split("\n")[0]).toMatch(/"mine" \(never expires\)\.$/);
    const token = await tokenJson(r.stdout.trim().split(".").slice(0, 2).join("."));
    expect(token.personalAccessToken).toBe(true);
    expect(token.expirationDate).toBeUndefined();
  });

  it("--expires never: a token that never expires", async () => {
    const r = await run(
      sandbox(),
      ["create", "--name", "forever", "--scope", "logs.ingest", "--expires", "never"],
      { printsSecret: true },
    );
    expect(r.code).toBe(0);
    expect(r.stderr.split("\n")[0]).toMatch(/"forever" \(never expires\)\.$/);
    expect(
      (await tokenJson(r.stdout.trim().split(".").slice(0, 2).join("."))).expirationDate,
    ).toBeUndefined();
  });

  it("accepts a date or an ISO time for --expires", async () => {
    const day = new Date(Date.now() + 40 * DAY).toISOString().slice(0, 10);
    const r = await run(
      sandbox(),
      ["create", "--name", "dated", "--scope", "logs.ingest", "--expires", day],
      {
        printsSecret: true,
      },
    );
    expect(r.code).toBe(0);
    const token = await tokenJson(r.stdout.trim().split(".").slice(0, 2).join("."));
    expect(token.expirationDate).toBe(`${day}T00:00:00.000Z`);
  });

  it("rejects unknown and legacy scopes, naming them (exit 2)", async () => {
    const unknown = await run(sandbox(), ["create", "--name", "x", "--scope", "metrics.reed"]);
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([
      2,
      "",
      'error: --scope: unknown scope "metrics.reed"; did you mean "metrics.read"?\nhint: `dt-tokens scopes` lists every scope (names are case-sensitive)\nnothing was sent.\n',
    ]);
    const legacy = await run(sandbox(), ["create", "--name", "x", "--scope", "ViewDashboard"]);
    expect(legacy.stderr).toBe(
      'error: --scope: the legacy scope "ViewDashboard" can no longer be assigned to a token\nhint: `dt-tokens scopes` lists the scopes that can be assigned\nnothing was sent.\n',
    );
    const none = await run(sandbox(), ["create", "--name", "x"]);
    expect(none.stderr).toBe(
      "error: --scope: a token needs at least one scope, e.g. --scope metrics.read\nhint: `dt-tokens scopes` lists every scope\nnothing was sent.\n",
    );
    const noName = await run(sandbox(), ["create", "--scope", "logs.ingest"]);
    expect([noName.code, noName.stderr]).toEqual([
      2,
      "error: required option '--name <name>' not specified\n",
    ]);
    expect((await run(sandbox(), ["list", "-o", "json"])).stdout).not.toContain('"x"');
  });

  it("never echoes a token secret given where a scope, field, time, number or choice belongs (exit 2)", async () => {
    const [t] = seed([{ name: "target", scopes: ["logs.ingest"] }]);
    // Not registered with knowSecrets (run() refuses registered secrets in argv, on purpose): this
    // test checks every output for it itself.
    const secret = generateTokenSecret();
    const [, , privatePart] = secret.split(".");
    const shown = `${secret.split(".").slice(0, 2).join(".")}.[REDACTED]`;
    const cases: [string[], string][] = [
      [
        ["create", "--name", "x", "--scope", secret],
        `error: --scope: the value looks like a Dynatrace secret`,
      ],
      [
        ["create", "--name", "x", "--scope", `logs.ingest,${secret}`],
        `error: --scope: the value looks like a Dynatrace secret`,
      ],
      [["list", "--fields", secret], `error: --fields: the value looks like a Dynatrace secret`],
      [["list", "--fields", `name,+${secret}`], `error: --fields: the value looks like a Dynatrace secret`],
      [["list", "--scope", secret], `error: --scope: the value looks like a Dynatrace secret`],
      [["audit", "--scope", secret], `error: --scope: the value looks like a Dynatrace secret`],
      [
        ["update", t!.id, "--add-scope", secret],
        `error: --add-scope: the value looks like a Dynatrace secret`,
      ],
      [
        ["update", t!.id, "--remove-scope", secret],
        `error: --remove-scope: the value looks like a Dynatrace secret`,
      ],
      [
        ["create", "--name", "x", "--scope", "logs.ingest", "--expires", secret],
        `error: --expires: "${shown}" is not a date or time`,
      ],
      [["rotate", t!.id, "--expires", secret], `error: --expires: "${shown}" is not a date or time`],
      [["list", "--used-from", secret], `error: --used-from: "${shown}" is not a date or time`],
      [["list", "--sort", secret], `error: --sort: unknown sort key "${shown}"`],
      [
        ["list", "--page-size", secret],
        `error: --page-size: expected a whole number from 100 to 10000, got "${shown}"`,
      ],
      [["list", "--output", secret], `error: option '-o, --output <format>' argument '${shown}' is invalid`],
      [
        ["rotate", t!.id, "--revoke", secret],
        `error: option '--revoke <mode>' argument '${shown}' is invalid`,
      ],
      [["list", `--${secret}`], `error: unknown option '--${shown}'`],
      [[secret], `error: unknown command '${shown}'`],
    ];
    for (const [args, first] of cases) {
      const r = await run(sandbox(), args);
      const context = args.join(" ").replace(secret, "<secret>");
      expect(r.code, context).toBe(2);
      expect(r.stdout, context).toBe("");
      expect(r.stderr, context).not.toContain(privatePart);
      expect(r.stderr.startsWith(first), `${context}: ${r.stderr}`).toBe(true);
      if (!first.startsWith("error: option") && !first.startsWith("error: unknown"))
        expect(r.stderr, context).toMatch(/^hint: .*may now be in your shell history/m);
    }
    expect(sandbox().tokenCount()).toBe(2); // the bootstrap token and the target: nothing was created
  });

  it("--expires takes the one duration grammar: 90d is now+90d, 1d12h is 36 hours from now", async () => {
    const expiry = async (expires: string) => {
      const r = await run(
        sandbox(),
        ["create", "--name", `in-${expires}`, "--scope", "logs.ingest", "--expires", expires, "-o", "json"],
        { printsSecret: true },
      );
      expect(r.code, r.stderr).toBe(0);
      return Date.parse(JSON.parse(r.stdout).expirationDate) - Date.now();
    };
    const HOUR = 3_600_000;
    for (const [expires, hours] of [
      ["90d", 90 * 24],
      ["now+90d", 90 * 24],
      ["1d12h", 36],
      ["now+1d12h", 36],
    ] as const) {
      const ms = await expiry(expires);
      expect(Math.abs(ms - hours * HOUR), expires).toBeLessThan(HOUR);
    }
  });

  it("rejects bad and past dates, listing the accepted formats (exit 2)", async () => {
    const bad = await run(sandbox(), [
      "create",
      "--name",
      "x",
      "--scope",
      "logs.ingest",
      "--expires",
      "tomorrow",
    ]);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'error: --expires: "tomorrow" is not a date or time; accepted formats: 2025-01-31, 2025-01-31T13:45:00Z, 2025-01-31T13:45:00.123+01:00, epoch milliseconds, relative now+30d (units m h d w M y, m minutes and M months), or a duration such as 90d or 1d12h from now\nnothing was sent.\n',
    ]);
    const past = await run(sandbox(), [
      "create",
      "--name",
      "x",
      "--scope",
      "logs.ingest",
      "--expires",
      "2020-01-01",
    ]);
    expect(past.stderr).toBe(
      'error: --expires: "2020-01-01" is in the past; a token\'s expiry must be in the future\nnothing was sent.\n',
    );
    const backwards = await run(sandbox(), [
      "create",
      "--name",
      "x",
      "--scope",
      "logs.ingest",
      "--expires",
      "now-1d",
    ]);
    expect(backwards.stderr).toBe(
      'error: --expires: "now-1d" points into the past; use now+30d\nnothing was sent.\n',
    );
  });

  it("an API refusal is one line with the API's message, exit 1", async () => {
    const [reader] = seed([{ name: "reader", scopes: ["apiTokens.read"] }]);
    const r = await run(sandbox(), ["create", "--name", "x", "--scope", "logs.ingest"], {
      env: { DT_API_TOKEN: reader!.token },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^error: Token is missing required scope\. Use one of: apiTokens\.write .*\(HTTP 403 Forbidden\)\nhint: the API token needs the scope apiTokens\.write\n$/,
    );
  });
});

describe("update", () => {
  it("renames, disables and enables a token, printing the result", async () => {
    const [t] = seed([{ name: "old-name", scopes: ["logs.ingest"] }]);
    const r = await run(sandbox(), ["update", t!.id, "--name", "new-name", "--disable"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`Updated token ${t!.id}: renamed to "new-name"; disabled.\n`);
    expect(plain(r.stdout)).toMatch(/^Name +new-name$/m);
    expect(plain(r.stdout)).toMatch(/^Enabled +no$/m);
    expect(await tokenJson(t!.id)).toMatchObject({ name: "new-name", enabled: false });
    const enable = await run(sandbox(), ["update", t!.id, "--enable", "-o", "json"]);
    expect(JSON.parse(enable.stdout)).toMatchObject({ name: "new-name", enabled: true });
  });

  it("--scopes replaces the list; --add-scope and --remove-scope read, change and write it back", async () => {
    const [t] = seed([{ name: "s", scopes: ["metrics.read", "logs.ingest"] }]);
    const edit = await run(sandbox(), [
      "update",
      t!.id,
      "--add-scope",
      "entities.read",
      "--remove-scope",
      "logs.ingest",
    ]);
    expect(edit.code).toBe(0);
    expect(edit.stderr).toBe(`Updated token ${t!.id}: scopes set to metrics.read, entities.read.\n`);
    expect((await tokenJson(t!.id)).scopes).toEqual(["metrics.read", "entities.read"]);
    const replace = await run(sandbox(), ["update", t!.id, "--scopes", "slo.read,slo.write"]);
    expect(replace.code).toBe(0);
    expect((await tokenJson(t!.id)).scopes).toEqual(["slo.read", "slo.write"]);
    const missing = await run(sandbox(), ["update", t!.id, "--remove-scope", "logs.ingest"]);
    expect(missing.code).toBe(0);
    expect(missing.stderr).toBe(
      `warning: the token has no scope logs.ingest; nothing to remove\nToken ${t!.id} already has these scopes; nothing changed.\n`,
    );
    const empty = await run(sandbox(), [
      "update",
      t!.id,
      "--remove-scope",
      "slo.read",
      "--remove-scope",
      "slo.write",
    ]);
    expect([empty.code, empty.stderr]).toEqual([
      2,
      "error: --remove-scope would leave the token without scopes; a token needs at least one\nnothing was sent.\n",
    ]);
    expect((await tokenJson(t!.id)).scopes).toEqual(["slo.read", "slo.write"]);
  });

  it("rejects contradictory, empty and unknown changes (exit 2) and unknown ids (exit 1)", async () => {
    const [t] = seed([{ name: "s", scopes: ["metrics.read"] }]);
    const cases: [string[], number, string][] = [
      [
        ["--enable", "--disable"],
        2,
        "error: --enable and --disable exclude each other; give one of them\nnothing was sent.\n",
      ],
      [
        [],
        2,
        "error: nothing to update: give --name, --enable, --disable, --scopes, --add-scope or --remove-scope\nnothing was sent.\n",
      ],
      [
        ["--scopes", "metrics.read", "--add-scope", "logs.ingest"],
        2,
        "error: --scopes replaces the whole list: use it without --add-scope and --remove-scope\nnothing was sent.\n",
      ],
      [
        ["--add-scope", "entities.raed"],
        2,
        'error: --add-scope: unknown scope "entities.raed"; did you mean "entities.read"?\nhint: `dt-tokens scopes` lists every scope (names are case-sensitive)\nnothing was sent.\n',
      ],
    ];
    for (const [flags, code, stderr] of cases) {
      const r = await run(sandbox(), ["update", t!.id, ...flags]);
      expect([r.code, r.stderr]).toEqual([code, stderr]);
    }
    const unknown = await run(sandbox(), ["update", "dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA", "--disable"]);
    expect([unknown.code, unknown.stderr]).toEqual([1, NOT_FOUND("dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA")]);
    const add = await run(sandbox(), [
      "update",
      "dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA",
      "--add-scope",
      "logs.ingest",
    ]);
    expect([add.code, add.stderr]).toEqual([1, NOT_FOUND("dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA")]);
  });
});

describe("delete", () => {
  it("deletes with --yes", async () => {
    const [t] = seed([{ name: "doomed", scopes: ["logs.ingest"] }]);
    const r = await run(sandbox(), ["delete", t!.id, "--yes"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "", `Deleted token ${t!.id}.\n`]);
    const gone = await run(sandbox(), ["get", t!.id]);
    expect([gone.code, gone.stderr]).toEqual([1, NOT_FOUND(t!.id)]);
    const again = await run(sandbox(), ["rm", t!.id, "-y"]);
    expect([again.code, again.stderr]).toEqual([1, NOT_FOUND(t!.id)]);
  });

  it("refuses without --yes when stdin is not a terminal (exit 2), deleting nothing", async () => {
    const [t] = seed([{ name: "kept", scopes: ["logs.ingest"] }]);
    const r = await run(sandbox(), ["delete", t!.id]);
    expect([r.code, r.stderr]).toEqual([
      2,
      "error: refusing to delete without confirmation: stdin is not a terminal; pass --yes\nnothing was sent.\n",
    ]);
    expect((await tokenJson(t!.id)).name).toBe("kept");
  });

  it("asks on a terminal: n or Ctrl-C keeps the token (exit 5), y deletes it", async () => {
    const [t] = seed([{ name: "asked", owner: "alice", scopes: ["logs.ingest"] }]);
    const prompt = `Delete token ${t!.id} "asked" (owner alice)? This cannot be undone. [y/N] `;
    const no = await run(sandbox(), ["delete", t!.id], { tty: true, answer: { when: "[y/N]", send: "n\r" } });
    expect(no.code).toBe(5);
    expect(plain(no.stdout)).toContain(prompt);
    expect(plain(no.stdout)).toContain("error: cancelled; nothing was deleted");
    expect((await tokenJson(t!.id)).name).toBe("asked");
    const interrupted = await run(sandbox(), ["delete", t!.id], {
      tty: true,
      answer: { when: "[y/N]", send: "\u0003" },
    });
    expect(interrupted.code).toBe(5);
    expect((await tokenJson(t!.id)).name).toBe("asked");
    const yes = await run(sandbox(), ["delete", t!.id], {
      tty: true,
      answer: { when: "[y/N]", send: "y\r" },
    });
    expect(yes.code).toBe(0);
    expect(plain(yes.stdout)).toContain(`Deleted token ${t!.id}.`);
    expect((await run(sandbox(), ["get", t!.id])).code).toBe(1);
  });
});

describe("lookup", () => {
  it("shows the token of a secret read from stdin, with the API token from the environment", async () => {
    const [t] = seed([{ name: "looked-up", scopes: [] }]);
    const r = await run(sandbox(), ["lookup"], { stdin: `${t!.token}\n` });
    expect(r.code).toBe(0);
    expect(plain(r.stdout)).toMatch(new RegExp(`^ID +${t!.id}$`, "m"));
    expect(plain(r.stdout)).toMatch(/^Name +looked-up$/m);
  });

  it("without an API token, the secret authenticates itself (is this token valid?)", async () => {
    const [t] = seed([{ name: "self", scopes: ["metrics.read"] }]);
    const r = await run(sandbox(), ["lookup", "-o", "json"], {
      stdin: t!.token,
      env: { DT_API_TOKEN: undefined },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: t!.id, name: "self" });
    const [off] = seed([{ name: "off", enabled: false, scopes: ["metrics.read"] }]);
    const disabled = await run(sandbox(), ["lookup"], {
      stdin: off!.token,
      env: { DT_API_TOKEN: undefined },
    });
    expect(disabled.code).toBe(1);
    expect(disabled.stderr.split("\n")[0]).toBe("error: Token is disabled. (HTTP 401 Unauthorized)");
  });

  it("with --token-stdin, reads the API token and then the secret from stdin", async () => {
    const [t] = seed([{ name: "two-lines", scopes: ["metrics.read"] }]);
    const r = await run(sandbox(), ["lookup", "--token-stdin", "-o", "json"], {
      stdin: `${sandbox().bootstrapToken}\n${t!.token}\n`,
      env: { DT_API_TOKEN: undefined },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).name).toBe("two-lines");
  });

  it("reads the secret without echo on a terminal", async () => {
    const [t] = seed([{ name: "typed", scopes: ["metrics.read"] }]);
    const r = await run(sandbox(), ["lookup", "--no-color"], {
      tty: true,
      answer: { when: "(input hidden): ", send: `${t!.token}\r` },
    });
    expect(r.code).toBe(0);
    expect(plain(r.stdout)).toContain("Token secret to look up (input hidden): \n");
    expect(plain(r.stdout)).toMatch(/^Name +typed$/m);
  });

  it("an unknown secret is a 404 that does not repeat it; empty or malformed input is exit 2", async () => {
    const secret = unknownSecret();
    const r = await run(sandbox(), ["lookup"], { stdin: secret });
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toMatch(/^error: .*\(HTTP 404 Not Found\)$/);
    const empty = await run(sandbox(), ["lookup"], { stdin: "" });
    expect([empty.code, empty.stderr]).toEqual([
      2,
      "error: lookup: stdin held no secret; pipe the secret in, e.g. dt-tokens lookup < secret.txt\nnothing was sent.\n",
    ]);
    const malformed = await run(sandbox(), ["lookup"], { stdin: "dt0c01.SHORT.SECRET\n" });
    expect([malformed.code, malformed.stderr]).toEqual([
      2,
      "error: lookup: stdin does not hold a token secret: expected dt0c01.<24 characters>.<64 characters> of A-Z and 2-7\nnothing was sent.\n",
    ]);
  });
});

describe("the leak check", () => {
  it("matches the secrets the sandbox issues", () => {
    expect(generateTokenSecret()).toMatch(SECRET);
  });

  it("finds a known secret in an output unless it is the one allowed there", async () => {
    const [t] = seed([{ name: "watched", scopes: ["logs.ingest"] }]);
    expect(leaks(`some text ${t!.token} more`)).toEqual([t!.token]);
    expect(leaks(`id only: ${t!.id}`)).toEqual([]);
    const r = await run(sandbox(), ["create", "--name", "c", "--scope", "logs.ingest"], {
      printsSecret: true,
    });
    const printed = r.stdout.trim();
    expect(leaks(r.stdout)).toEqual([printed]);
    expect(leaks(r.stdout, printed)).toEqual([]);
  });
});

#!/usr/bin/env node
/**
 * `pnpm demo`: a short tour of the dt-tokens CLI. Starts the sandbox on a temporary database, seeds
 * a realistic environment, then runs the real `dt-tokens` binary (dist/bin.js) as child processes,
 * printing each command before its output. The API token reaches the CLI through the environment,
 * the rotated secret goes to a file sink and back through stdin: never through argv.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  generateDemoTokens,
  seedDemoActiveGates,
  startSandbox,
  startSandboxProcess,
} from "@dt-tokens/sandbox";
import pc from "picocolors";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const DAY = 86_400_000;
const started = Date.now();
const out = process.stdout;
const color = pc.createColors(out.isTTY === true && !process.env.NO_COLOR);

if (!existsSync(BIN)) {
  console.error("dist/bin.js is missing: run `pnpm demo` from the repository root (it builds first).");
  process.exit(1);
}

const say = (text) => out.write(`\n${color.bold(color.cyan(`# ${text}`))}\n`);
const show = (command) => out.write(`${color.green("$")} ${command}\n`);

/**
 * Runs `dt-tokens ...args` with the connection in its environment. Output goes straight to this
 * terminal (so tables, colours and progress bars look as they would for you) unless `capture`.
 */
function dtTokens(args, { env, stdin, capture = false, display } = {}) {
  show(display ?? `dt-tokens ${args.map((a) => (/^[\w.,:/@+=-]+$/.test(a) ? a : `'${a}'`)).join(" ")}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: [stdin === undefined ? "ignore" : "pipe", capture ? "pipe" : "inherit", "inherit"],
    });
    let stdout = "";
    child.stdout?.setEncoding("utf8").on("data", (d) => {
      stdout += d;
    });
    if (stdin !== undefined) child.stdin.end(stdin);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout }));
  });
}

/** A port nothing listens on (it was free a moment ago): an environment that is down. */
const closedPort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const tmp = mkdtempSync(join(tmpdir(), "dt-tokens-demo-"));
let sandbox;
let fleet;
try {
  say("Start a local Dynatrace-compatible sandbox on a temporary database and seed a realistic environment");
  sandbox = await startSandbox({ host: "127.0.0.1", port: 0, database: join(tmp, "tokens.db") });
  const seeded = sandbox.seed(generateDemoTokens({ count: 300, seed: 42 }));
  const owners = new Set(seeded.map((t) => t.owner));
  out.write(
    `${seeded.length} tokens of ${owners.size} owners at ${sandbox.url}: personal and API tokens, recent, old and no use,\n` +
      "expired, expiring and never-expiring ones, some disabled, some with broad write scopes.\n",
  );
  const env = {
    DT_ENV_URL: sandbox.url,
    DT_API_TOKEN: sandbox.bootstrapToken,
    NO_COLOR: process.env.NO_COLOR,
  };
  if (!env.NO_COLOR) delete env.NO_COLOR;
  show(`export DT_ENV_URL=${sandbox.url}`);
  show("export DT_API_TOKEN=…   # the sandbox's admin token: from the environment, never an argument");

  const now = Date.now();
  const check = (result, expected = 0) => {
    if (result.code !== expected)
      throw new Error(`dt-tokens exited with ${result.code}, expected ${expected}`);
    return result;
  };

  say("The newest tokens");
  check(await dtTokens(["list", "--limit", "8"], { env }));

  say(
    "On the Dynatrace platform (*.apps.dynatrace.com) a platform token goes as Bearer to /platform/classic/environment-api/v2; doctor checks the setup, changing nothing",
  );
  const platformEnv = {
    DT_ENV_URL: sandbox.platformBase,
    DT_PLATFORM_TOKEN: sandbox.platformToken,
    NO_COLOR: env.NO_COLOR,
  };
  if (!platformEnv.NO_COLOR) delete platformEnv.NO_COLOR;
  show(`export DT_ENV_URL=${sandbox.platformBase}`);
  show("export DT_PLATFORM_TOKEN=…   # dt0s16.…, with environment-api:api-tokens:read and :write");
  check(await dtTokens(["doctor"], { env: platformEnv }));

  say("The same with an OAuth client: dt-tokens fetches short-lived access tokens from SSO itself");
  const oauthEnv = {
    DT_ENV_URL: sandbox.platformBase,
    DT_CLIENT_ID: sandbox.oauthClientId,
    DT_CLIENT_SECRET: sandbox.oauthClientSecret,
    DT_ACCOUNT_URN: sandbox.accountUrn,
    DT_SSO_TOKEN_URL: sandbox.tokenUrl,
    NO_COLOR: env.NO_COLOR,
  };
  if (!oauthEnv.NO_COLOR) delete oauthEnv.NO_COLOR;
  show(
    `export DT_CLIENT_ID=${sandbox.oauthClientId} DT_ACCOUNT_URN=${sandbox.accountUrn} DT_CLIENT_SECRET=…`,
  );
  check(await dtTokens(["list", "--owner", "ci-pipeline", "--limit", "3"], { env: oauthEnv }));

  say("Alice's personal access tokens, most recently used first");
  check(
    await dtTokens(
      [
        "list",
        "--owner",
        "alice.moreau@example.com",
        "--personal",
        "--sort",
        "-lastUsedDate",
        "--limit",
        "6",
      ],
      { env },
    ),
  );

  say("API tokens that can mint other tokens, with their scopes");
  check(
    await dtTokens(
      [
        "list",
        "--scope",
        "apiTokens.write",
        "--no-personal",
        "--fields",
        "name,owner,lastUsedDate,scopes",
        "--limit",
        "6",
      ],
      { env },
    ),
  );

  say("Not used for half a year, as CSV for a spreadsheet");
  check(
    await dtTokens(
      [
        "list",
        "--used-to",
        "now-180d",
        "--sort",
        "lastUsedDate",
        "--fields",
        "name,owner,lastUsedDate",
        "--output",
        "csv",
        "--limit",
        "5",
      ],
      { env },
    ),
  );

  say("Audit one owner's tokens: never used, stale, expiring, expired, disabled, broad, duplicated");
  check(
    await dtTokens(["audit", "--owner", "ci-pipeline", "--min-severity", "medium", "--page-size", "100"], {
      env,
    }),
  );

  say("Gate a pipeline on the audit: exit status 3 when a finding is at or above --fail-on");
  const gate = await dtTokens(["audit", "--fail-on", "high", "--output", "json", "--page-size", "100"], {
    env,
    capture: true,
    display: "dt-tokens audit --fail-on high --output json --page-size 100 > audit.json; echo $?",
  });
  check(gate, 3);
  out.write(`${gate.code}   ${color.dim(`(audit.json holds ${JSON.parse(gate.stdout).length} findings)`)}\n`);

  say("ActiveGate tokens: which hosts go dark when their token expires (token enforcement is on)");
  seedDemoActiveGates(sandbox.activeGates);
  const [agAdmin] = sandbox.seed([
    {
      name: "ag-auditor",
      scopes: ["activeGateTokenManagement.read", "activeGateTokenManagement.write", "activeGates.read"],
    },
  ]);
  show("export DT_API_TOKEN=…   # a token with activeGateTokenManagement.read and activeGates.read");
  const agAudit = await dtTokens(["ag-tokens", "audit", "--min-severity", "high", "--fail-on", "high"], {
    env: { ...env, DT_API_TOKEN: agAdmin.token },
    capture: true,
  });
  check(agAudit, 3);
  out.write(agAudit.stdout);
  if (!agAudit.stdout.includes("ag-prod-02.example.com"))
    throw new Error("ag-tokens audit did not name ag-prod-02.example.com, whose token expires in 12 days");

  // A token that is in use, enabled and about to expire: the one to rotate.
  const expiring = seeded.find(
    (t) =>
      t.enabled &&
      !t.personalAccessToken &&
      t.expirationDate &&
      Date.parse(t.expirationDate) > now + DAY &&
      Date.parse(t.expirationDate) < now + 14 * DAY &&
      t.lastUsedDate &&
      Date.parse(t.lastUsedDate) > now - 7 * DAY,
  );
  say(`"${expiring.name}" expires soon and is in use`);
  check(await dtTokens(["get", expiring.id], { env }));

  say("Rotate it: create the replacement, deliver it to a file, verify it, then disable the old one");
  const tokenFile = join(tmp, "new.token");
  check(
    await dtTokens(["rotate", expiring.id, "--expires", "now+90d", "--to", `file:${tokenFile}`], {
      env,
      display: `dt-tokens rotate ${expiring.id} --expires now+90d --to file:new.token`,
    }),
  );
  const secret = readFileSync(tokenFile, "utf8");
  const mode = (statSync(tokenFile).mode & 0o777).toString(8);
  out.write(
    color.dim(
      `(new.token, mode ${mode}, holds only the new secret ${secret.split(".").slice(0, 2).join(".")}.••••; it was never printed)\n`,
    ),
  );

  say("Check the delivered secret: lookup reads it from stdin, never from an argument");
  check(await dtTokens(["lookup"], { env, stdin: `${secret}\n`, display: "dt-tokens lookup < new.token" }));

  say(
    "Plan a batch: every token expiring within 14 days, each to its own file (by id: names repeat); --dry-run runs the real checks and changes nothing",
  );
  // Exit 1: the plan holds a token with a legacy scope, which a replacement cannot get (the real run refuses it too).
  check(
    await dtTokens(
      ["rotate", "--expiring-within", "14d", "--no-personal", "--to", `file:${tmp}/{id}.token`, "--dry-run"],
      {
        env,
        display:
          "dt-tokens rotate --expiring-within 14d --no-personal --to 'file:tokens/{id}.token' --dry-run",
      },
    ),
    1,
  );

  const neverUsed = seeded.find(
    (t) => t.enabled && !t.lastUsedDate && t.creationDate && Date.parse(t.creationDate) < now - 180 * DAY,
  );
  say(`"${neverUsed.name}" was created long ago and never used: disable it (it can be enabled again)`);
  check(await dtTokens(["update", neverUsed.id, "--disable"], { env }));

  const expired = seeded.find((t) => t.expirationDate && Date.parse(t.expirationDate) < now - 30 * DAY);
  say(`"${expired.name}" expired a month ago: delete it (--yes, since a script cannot answer the prompt)`);
  check(await dtTokens(["delete", expired.id, "--yes"], { env }));

  say("Bad input is caught before anything is sent, with a clear message (exit status 2)");
  check(
    await dtTokens(["create", "--name", "grafana", "--scope", "metric.read", "--expires", "now+30d"], {
      env,
    }),
    2,
  );
  check(await dtTokens(["list", "--used-from", "last tuesday"], { env }), 2);

  say(
    "A fleet: one sandbox process hosting three Managed-style environments, and a dt-tokens config for them",
  );
  const fleetDir = join(tmp, "fleet");
  show(
    "dt-tokens sandbox --environments 3 --seed-demo 200 --write-config fleet/config.yaml   # tokens in 0600 files beside it",
  );
  fleet = await startSandboxProcess([
    "--quiet",
    "--db",
    ":memory:",
    "--environments",
    "3",
    "--seed-demo",
    "200",
    "--write-config",
    join(fleetDir, "config.yaml"),
  ]);
  const fleetEnv = { DT_TOKENS_CONFIG: join(fleetDir, "config.yaml"), NO_COLOR: env.NO_COLOR };
  if (!fleetEnv.NO_COLOR) delete fleetEnv.NO_COLOR;
  show("export DT_TOKENS_CONFIG=fleet/config.yaml");
  check(await dtTokens(["env", "list"], { env: fleetEnv }));

  say("Audit every environment at once: tokens that expire within 3 days, per environment and for the fleet");
  check(
    await dtTokens(["audit", "--all-environments", "--check", "expiring", "--expiring-within", "3d"], {
      env: fleetEnv,
    }),
  );

  say(
    "An environment that is down does not stop the others: the report names it, the exit status is 4 (partial)",
  );
  check(
    await dtTokens(
      [
        "env",
        "add",
        "eu-legacy",
        "--url",
        `http://127.0.0.1:${await closedPort()}`,
        "--api-token-ref",
        "env:EU_TOKEN",
      ],
      {
        env: fleetEnv,
      },
    ),
  );
  const partial = await dtTokens(
    ["audit", "--all-environments", "--min-severity", "high", "--output", "markdown"],
    {
      env: {
        ...fleetEnv,
        EU_TOKEN:
          "dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      },
      capture: true,
      display:
        'dt-tokens audit --all-environments --min-severity high --output markdown >> "$GITHUB_STEP_SUMMARY"; echo $?',
    },
  );
  check(partial, 4);
  out.write(
    `${partial.code}   ${color.dim("(the job summary starts like this:)")}\n${partial.stdout.split("\n").slice(0, 10).join("\n")}\n${color.dim("…")}\n`,
  );

  say(`Tour done in ${((Date.now() - started) / 1000).toFixed(1)} s. Try it yourself, from this clone:`);
  out.write(
    "  node apps/cli/dist/bin.js sandbox --port 8080 --seed-demo 300   # prints the URL and a bootstrap token\n" +
      "  node apps/cli/dist/bin.js --help                                 # every command, with examples\n" +
      `  ${color.dim("(npx @dt-tokens/cli … once it is released to npm; before that, npm answers 404)")}\n`,
  );
} finally {
  await sandbox?.close();
  await fleet?.close();
  rmSync(tmp, { recursive: true, force: true });
}

/**
 * The README's scan and leak recipes (the `<!-- leak-recipes -->` block), run as written with sh:
 * `dt-tokens` on PATH, a git repository with a staged secret, and a stand-in `gh` that answers the
 * secret-scanning alert call with the alert's secret, as GitHub's API does.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiTokensClient } from "@dt-tokens/client";
import { generateTokenSecret, type SandboxProcess, startSandboxProcess } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, knowSecrets, leaks, useSandbox } from "./helpers.js";

useSandbox(); // the secret check after every test (and knowSecrets)

const dir = mkdtempSync(join(tmpdir(), "dt-tokens-leak-recipes-"));
const bin = join(dir, "bin");
const config = join(dir, "config.yaml");
let sandbox: SandboxProcess;

/** The recipe lines of the README block: commands, without the comments. */
function recipes(): string[] {
  const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
  const block = readme.split("<!-- leak-recipes -->")[1]!.split("```sh\n")[1]!.split("```")[0]!;
  return block.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
}

beforeAll(async () => {
  sandbox = await startSandboxProcess([
    "--db",
    ":memory:",
    "--quiet",
    "--environments",
    "2",
    "--write-config",
    config,
  ]);
  knowSecrets(
    sandbox.ready.bootstrapToken,
    sandbox.ready.platformToken,
    sandbox.ready.oauthClientSecret,
    ...(sandbox.ready.environments ?? []).map((e) => e.bootstrapToken),
  );
  mkdirSync(bin);
  writeFileSync(join(bin, "dt-tokens"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, "dt-tokens"), 0o755);
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs one recipe line with sh in `cwd`; `gh` answers with `alertSecret`. */
function sh(line: string, cwd: string, alertSecret = "") {
  const ghStandIn = `#!/bin/sh
[ "$1 $2 $3 $4" = "api repos/acme/shop/secret-scanning/alerts/42 --jq .secret" ] || { echo "gh: unexpected $*" >&2; exit 2; }
cat "${join(dir, "alert-secret")}"
`;
  writeFileSync(join(bin, "gh"), ghStandIn);
  chmodSync(join(bin, "gh"), 0o755);
  writeFileSync(join(dir, "alert-secret"), `${alertSecret}\n`, { mode: 0o600 });
  const r = spawnSync("sh", ["-c", line], {
    cwd,
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      DT_TOKENS_CONFIG: config,
      HOME: dir,
      GIT_CONFIG_NOSYSTEM: "1",
    },
  });
  expect(leaks(r.stdout)).toEqual([]);
  expect(leaks(r.stderr)).toEqual([]);
  return r;
}

describe("README leak recipes", () => {
  it("has the three recipes", () => {
    expect(recipes().map((l) => l.split(" ")[0])).toEqual(["dt-tokens", "git", "gh"]);
  });

  it("the pipeline gate fails on a checkout with a secret and passes a clean one", () => {
    const [gate] = recipes();
    const checkout = mkdtempSync(join(dir, "checkout-"));
    writeFileSync(join(checkout, "app.yaml"), "name: shop\n");
    expect(sh(gate!, checkout).status).toBe(0);
    const secret = generateTokenSecret();
    knowSecrets(secret);
    writeFileSync(join(checkout, ".env"), `DT_API_TOKEN=${secret}\n`);
    const r = sh(gate!, checkout);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/\.env:1:14 +api-token +dt0c01\./);
  });

  it("the pre-commit hook refuses a staged secret", () => {
    const hook = recipes()[1]!;
    const repo = mkdtempSync(join(dir, "repo-"));
    const git = (...args: string[]) =>
      spawnSync("git", ["-c", "user.email=a@example.com", "-c", "user.name=a", ...args], {
        cwd: repo,
        encoding: "utf8",
      });
    git("init", "-q");
    writeFileSync(join(repo, "README.md"), "shop\n");
    git("add", "README.md");
    expect(sh(hook, repo).status).toBe(0);
    const secret = generateTokenSecret();
    knowSecrets(secret);
    writeFileSync(join(repo, "deploy.sh"), `export DT_API_TOKEN='${secret}'\n`);
    git("add", "deploy.sh");
    const r = sh(hook, repo);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/deploy\.sh/);
  });

  it("a GitHub secret-scanning alert: the token is located, disabled and recorded in Markdown", async () => {
    const alert = recipes()[2]!;
    const env = sandbox.ready.environments![1]!;
    const admin = createApiTokensClient({
      environmentUrl: `${sandbox.ready.url}/e/${env.id}`,
      token: env.bootstrapToken!,
    });
    const created = await admin.create({ name: "shop-ci", scopes: ["metrics.read"] });
    knowSecrets(created.token);
    const cwd = mkdtempSync(join(dir, "incident-"));
    const r = sh(alert, cwd, created.token);
    expect(r.status).toBe(0);
    const record = readFileSync(join(cwd, "incident-42.md"), "utf8");
    expect(leaks(record)).toEqual([]);
    expect(record).toMatch(/^## Dynatrace secret leak: incident record/);
    expect(record).toContain(
      `| \`${created.id}\` | API token or personal access token | ✅ contained | ${env.id} | shop-ci |`,
    );
    expect((await admin.get(created.id)).enabled).toBe(false);
  });
});

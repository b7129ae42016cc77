/**
 * The README's exec recipes (gh, kubectl, vault, aws, op), run exactly as written, with stand-ins
 * for the tools on PATH that check their arguments and keep what reaches them on stdin.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiTokensClient } from "@dt-tokens/client";
import { describe, expect, it } from "vitest";
import { run, useSandbox } from "./helpers.js";

const { sandbox, seed } = useSandbox();

const FAKES: Record<string, string> = {
  gh: `[ "$1 $2" = "secret set" ] || { echo "gh: unexpected $*" >&2; exit 2; }
cat > "$FAKE_STORE/gh-$3"`,
  kubectl: `case "$*" in
  "create secret generic "*" --from-file=token=/dev/stdin --dry-run=client -o yaml")
    printf 'apiVersion: v1\\nkind: Secret\\nmetadata:\\n  name: %s\\ndata:\\n  token: %s\\n' "$4" "$(base64 -w0 < /dev/stdin)";;
  "apply -f -")
    y=$(cat); name=$(printf '%s\\n' "$y" | sed -n 's/^  name: //p')
    printf '%s\\n' "$y" | sed -n 's/^  token: //p' | base64 -d > "$FAKE_STORE/kubectl-$name";;
  *) echo "kubectl: unexpected $*" >&2; exit 2;;
esac`,
  vault: `[ "$1 $2 $4" = "kv put token=-" ] || { echo "vault: unexpected $*" >&2; exit 2; }
cat > "$FAKE_STORE/vault-$(echo "$3" | tr / _)"`,
  aws: `[ "$1 $2 $3 $5" = "secretsmanager put-secret-value --secret-id --secret-string" ] || { echo "aws: unexpected $*" >&2; exit 2; }
cat "\${6#file://}" > "$FAKE_STORE/aws-$(echo "$4" | tr / _)"`,
  op: `[ "$1 $2" = "item create" ] || { echo "op: unexpected $*" >&2; exit 2; }
while [ $# -gt 0 ]; do case "$1" in --title) title=$2;; --template) template=$2;; esac; shift; done
cat "$template" > "$FAKE_STORE/op-$title.json"`,
};

/** The `--to` values of the README's recipe block. */
async function recipes(): Promise<string[]> {
  const readme = await readFile(join(import.meta.dirname, "..", "README.md"), "utf8");
  const block = readme.split("<!-- recipes")[1]!.split("```sh\n")[1]!.split("```")[0]!;
  return block
    .split("\n")
    .filter((l) => l.startsWith("dt-tokens rotate"))
    .map((l) => l.slice(l.indexOf("--to '") + 6, l.lastIndexOf("'")));
}

const hasJq = (() => {
  try {
    execFileSync("jq", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("README recipes", () => {
  it.skipIf(!hasJq)("each delivers the secret to its tool through stdin only", async () => {
    const tools = await mkdtemp(join(tmpdir(), "dt-recipes-"));
    const store = join(tools, "store");
    await writeFile(join(tools, ".keep"), "");
    execFileSync("mkdir", [store]);
    for (const [name, body] of Object.entries(FAKES)) {
      await writeFile(join(tools, name), `#!/bin/sh\n${body}\n`);
      await chmod(join(tools, name), 0o755);
    }
    const to = await recipes();
    expect(to.map((t) => t.split(" ")[0]!.replace("exec:", ""))).toEqual([
      "gh",
      "kubectl",
      "vault",
      "aws",
      "jq",
    ]);
    seed([{ name: "grafana", scopes: ["metrics.read"] }]);
    const dt = createApiTokensClient({ environmentUrl: sandbox().url, token: sandbox().bootstrapToken! });
    const expected = [
      "gh-DT_API_TOKEN",
      "kubectl-dynatrace-grafana",
      "vault-secret_dynatrace_grafana",
      "aws-dynatrace_grafana",
      "op-dynatrace-grafana.json",
    ];
    for (const [i, value] of to.entries()) {
      const r = await run(sandbox(), ["rotate", "--name", "grafana", "--to", value], {
        env: { PATH: `${tools}:${process.env.PATH}`, FAKE_STORE: store },
      });
      expect([r.code, r.stderr]).toEqual([
        0,
        expect.stringMatching(/^rotated "grafana": .* verified: .*; old token .* disabled\n$/),
      ]);
      const stored = await readFile(join(store, expected[i]!), "utf8");
      const secret = stored.startsWith("{") ? JSON.parse(stored).fields[0].value : stored;
      expect(await dt.lookup(secret)).toMatchObject({ name: "grafana", enabled: true });
    }
    expect((await readdir(store)).sort()).toEqual([...expected].sort());
  });
});

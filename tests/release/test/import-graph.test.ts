/**
 * The layout rules of every package's src/: no import cycle anywhere, and in the CLI no command
 * module imported by anything but program.ts (which wires the commands). The checker runs on the
 * repository, and on small trees that break each rule (so that it can fail).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, test } from "vitest";
import { violations } from "../../../scripts/import-graph.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dt-tokens-import-graph-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A repository with one package, apps/cli, holding these files under src/. */
function repo(files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    const file = join(dir, "apps", "cli", "src", path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  mkdirSync(join(dir, "packages"), { recursive: true });
  return dir;
}

test("the repository: no import cycle in any package, no command imported outside program.ts", () => {
  expect(violations(ROOT)).toEqual([]);
});

test("a cycle is found, through several files too", () => {
  const root = repo({
    "errors.ts": 'import { ConfigError } from "./config/file.js";\nexport const x = 1;\n',
    "config/file.ts": 'import { redact } from "../secrets.js";\nexport class ConfigError {}\n',
    "secrets.ts": 'import { x } from "./errors.js";\nexport const redact = x;\n',
    "leaf.ts": "export const y = 2;\n",
    "program.ts": 'import { y } from "./leaf.js";\n',
  });
  expect(violations(root)).toEqual([
    "import cycle: apps/cli/src/config/file.ts -> apps/cli/src/secrets.ts -> apps/cli/src/errors.ts -> apps/cli/src/config/file.ts",
  ]);
});

test("import type and a lazily loaded import() form no initialisation cycle", () => {
  const root = repo({
    "credentials.ts":
      'import type { Tokens } from "./oauth.js";\nexport const load = () => import("./oauth.js");\n',
    "oauth.ts":
      'import { start } from "./request.js";\nexport type Tokens = string;\nexport const x = start;\n',
    "request.ts": 'import type { load } from "./credentials.js";\nexport const start = 1;\n',
    "program.ts": 'import { load } from "./credentials.js";\n',
  });
  expect(violations(root)).toEqual([]);
});

test("a command imported by another command or by shared code is found; program.ts may import them", () => {
  const root = repo({
    "program.ts": 'import { registerList } from "./commands/list.js";\nimport "./commands/env/add.js";\n',
    "commands/list.ts": "export const registerList = 1;\n",
    "commands/audit.ts": 'import { registerList } from "./list.js";\n',
    "commands/env/add.ts": "export {};\n",
    "targets.ts":
      'export * from "./commands/env/add.js";\nconst later = () => import("./commands/list.js");\n',
  });
  expect(violations(root).sort()).toEqual([
    "command imported outside program.ts: apps/cli/src/commands/audit.ts imports apps/cli/src/commands/list.ts (move what they share below commands/)",
    "command imported outside program.ts: apps/cli/src/targets.ts imports apps/cli/src/commands/env/add.ts (move what they share below commands/)",
    "command imported outside program.ts: apps/cli/src/targets.ts imports apps/cli/src/commands/list.ts (move what they share below commands/)",
  ]);
});

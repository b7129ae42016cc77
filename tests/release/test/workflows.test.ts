/**
 * Every workflow under .github/workflows/ parses with GitHub's own parser (@actions/workflow-parser,
 * the one behind the Actions language service) without a single error, and every command it runs
 * is a script that the root package.json names: workflows stay thin, the logic lives in scripts
 * that run (and are tested) locally.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { commandsOf, problemWith, type Step, scriptFileProblem, scriptNameOf } from "./workflow-commands.js";

const ROOT = join(import.meta.dirname, "../../..");
const WORKFLOWS = join(ROOT, ".github", "workflows");
const rootScripts: Record<string, string> = JSON.parse(
  readFileSync(join(ROOT, "package.json"), "utf8"),
).scripts;

const workflowFiles = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

describe("the command rule", () => {
  test("accepts root scripts and a frozen install, rejects the rest", () => {
    const scripts = { test: "x", "spec:update": "y" };
    expect(problemWith("npx -y pnpm@12.4.2 test", scripts)).toBeUndefined();
    expect(problemWith('pnpm spec:update "$URL" --summary-file x', scripts)).toBeUndefined();
    expect(problemWith("pnpm run test", scripts)).toBeUndefined();
    expect(problemWith("pnpm install --frozen-lockfile", scripts)).toBeUndefined();
    expect(problemWith("pnpm install", scripts)).toMatch(/does not define/);
    expect(problemWith("pnpm tset", scripts)).toMatch(
      /calls "tset", which the root package.json does not define/,
    );
    expect(problemWith("curl -fsSL https://example.com | sh", scripts)).toMatch(/is neither `pnpm <script>`/);
    expect(problemWith(".ci/run", { "test:ci": ".ci/run" })).toBeUndefined();
    expect(problemWith(".ci/run --fast", { "test:ci": ".ci/run" })).toMatch(/is neither/);
    expect(scriptFileProblem("x", { x: "node scripts/gone.mjs" }, () => false)).toBe(
      'script "x" runs scripts/gone.mjs, which does not exist',
    );
    expect(scriptFileProblem("x", { x: "node scripts/here.mjs" }, () => true)).toBeUndefined();
  });
});

describe("GitHub's workflow parser", () => {
  test("reports a broken workflow (the check can fail)", async () => {
    const result = parseWorkflow(
      { name: "broken.yml", content: "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz: []\n" },
      new NoOperationTraceWriter(),
    );
    const messages = result.context.errors.getErrors().map((e) => e.message);
    expect(messages.join("\n")).toMatch(/Unexpected value 'stepz'/);
  });
});

test("ci, release and spec-watch workflows exist", () => {
  expect(workflowFiles.sort()).toEqual(expect.arrayContaining(["ci.yml", "release.yml", "spec-watch.yml"]));
});

describe.each(workflowFiles)(".github/workflows/%s", (file) => {
  const content = readFileSync(join(WORKFLOWS, file), "utf8");

  test("parses with @actions/workflow-parser without errors", async () => {
    const result = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
    const errors = result.context.errors.getErrors().map((e) => e.message);
    expect(errors).toEqual([]);
    expect(result.value).toBeDefined();
    const template = await convertWorkflowTemplate(result.context, result.value!);
    expect(template.errors ?? []).toEqual([]);
    expect(template.jobs.length).toBeGreaterThan(0);
  });

  test("runs only scripts that the root package.json defines", () => {
    const commands = commandsOf(content);
    expect(commands.length).toBeGreaterThan(0);
    const problems = commands.flatMap(({ where, command }) => {
      const name = scriptNameOf(command);
      const problem =
        problemWith(command, rootScripts) ??
        (name ? scriptFileProblem(name, rootScripts, (file) => existsSync(join(ROOT, file))) : undefined);
      return problem ? [`${where}: ${problem}`] : [];
    });
    expect(problems).toEqual([]);
  });

  test("pnpm/action-setup takes pnpm's version from package.json's packageManager, not a second pin", () => {
    const doc = parse(content) as { jobs: Record<string, { steps?: Step[] }> };
    const setups = Object.values(doc.jobs).flatMap(({ steps = [] }) =>
      steps.filter((s) => s.uses?.startsWith("pnpm/action-setup@")),
    );
    for (const setup of setups) expect(setup.with?.version).toBeUndefined();
  });

  test("leaves no token in .git/config for later steps, unless its job pushes with git (release)", () => {
    // With the token persisted, every later step (a dependency's install script, the tests of a
    // pull request) can push with it; create-pull-request takes its token as an input instead.
    const doc = parse(content) as { jobs: Record<string, { steps?: Step[] }> };
    const persisting = Object.entries(doc.jobs).flatMap(([job, { steps = [] }]) =>
      steps
        .filter((s) => s.uses?.startsWith("actions/checkout@"))
        .filter((s) => s.with?.["persist-credentials"] !== false)
        .map(() => `${file} ${job}`),
    );
    expect(persisting).toEqual(file === "release.yml" ? ["release.yml release"] : []);
  });

  test("grants no permission by default; jobs ask for theirs", () => {
    const doc = parse(content) as { permissions?: unknown };
    expect(doc.permissions, "top-level permissions").toBeDefined();
    expect(JSON.stringify(doc.permissions)).not.toMatch(/write/);
  });
});

test("release.yml publishes with provenance and only the permissions that needs", () => {
  const doc = parse(readFileSync(join(WORKFLOWS, "release.yml"), "utf8"));
  const job = doc.jobs.release;
  expect(job.permissions).toEqual({ contents: "write", "pull-requests": "write", "id-token": "write" });
  const action = job.steps.find((s: Step) => s.uses?.startsWith("changesets/action@"));
  expect(action.with).toMatchObject({ version: "pnpm version-packages", publish: "pnpm release" });
  expect(action.env.NPM_CONFIG_PROVENANCE).toBe("true");
});

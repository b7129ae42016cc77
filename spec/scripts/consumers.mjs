// The consumers' check of a spec update: TypeScript compiles the consumer fixtures
// (spec/consumer-fixtures/*.ts, small strict files that use @dt-tokens/types and @dt-tokens/client
// the way users do) together with the sources of both packages, once as the tree is and once with
// the newly generated files in memory. Nothing is written.
//
//   - an error in the packages' own sources (or the types' type tests) with the new types: the tree
//     does not build, and spec:update refuses the update;
//   - a fixture that compiled before and fails after: a consumer's build breaks, so the bump is
//     major whatever the OpenAPI diff says, and the changeset names the fixture and the error.
//
// One TypeScript program per side, with `paths` pointing the package names at their sources; the
// second reuses the first's parsed files, and the old side checks only the fixtures.
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";

/** Files the check compiles, relative to the repo root: every .ts under these, except tests. */
const SOURCES = ["packages/types/src", "packages/client/src"];
const TYPE_TESTS = ["packages/types/test/types.test-d.ts"];
export const FIXTURES_DIR = "spec/consumer-fixtures";

function tsFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

function loadTypeScript(root) {
  // The types package's compiler (openapi-typescript needs it there anyway).
  return createRequire(join(root, "packages", "types", "package.json"))("typescript");
}

/** The files, options and a compiler host (parsing each file on disk once) for both sides. */
function setup(ts, root) {
  const fixtures = tsFiles(join(root, FIXTURES_DIR));
  const rootNames = [
    ...SOURCES.flatMap((dir) => tsFiles(join(root, dir))),
    ...TYPE_TESTS.map((f) => join(root, f)).filter((f) => existsSync(f)),
    ...fixtures,
  ];
  const options = {
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    moduleDetection: ts.ModuleDetectionKind.Force,
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    noFallthroughCasesInSwitch: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
    baseUrl: root,
    paths: {
      "@dt-tokens/types": ["packages/types/src/index.ts"],
      "@dt-tokens/client": ["packages/client/src/index.ts"],
      // The client's subpath exports (./activegate, ./display, ./leak) are files of the same name.
      "@dt-tokens/client/*": ["packages/client/src/*.ts"],
    },
  };
  // One parse per file on disk, shared by both programs (the second reuses the first's structure).
  const parsed = new Map();
  /** A host that reads `overrides` ({ absolute path: text }) in place of the files on disk. */
  const hostWith = (overrides) => {
    const host = ts.createCompilerHost(options);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (f) => Object.hasOwn(overrides, f) || fileExists.call(host, f);
    host.readFile = (f) => (Object.hasOwn(overrides, f) ? overrides[f] : readFile.call(host, f));
    host.getSourceFile = (f, language, onError, create) => {
      if (Object.hasOwn(overrides, f)) return ts.createSourceFile(f, overrides[f], language);
      if (!parsed.has(f)) parsed.set(f, getSourceFile.call(host, f, language, onError, create));
      return parsed.get(f);
    };
    return host;
  };
  return { fixtures, rootNames, options, hostWith };
}

/** `file:line: TSnnnn: message` for each diagnostic, relative to the repo root. */
function messages(ts, root, diagnostics) {
  return diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n")[0];
    const file = d.file ? relative(root, d.file.fileName) : "(program)";
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return `${file}:${line}: TS${d.code}: ${text}`;
  });
}

/** Each fixture's messages in `program` (only the fixtures are checked, and what they use). */
function fixtureMessages(ts, root, program, fixtures) {
  return new Map(
    fixtures.map((f) => {
      const file = program.getSourceFile(f);
      const found = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
      return [relative(root, f), messages(ts, root, found)];
    }),
  );
}

/**
 * Compiles before and after: before, the fixtures as the tree is (a fixture's verdict is all the
 * old side decides); after, everything with `newFiles` ({ absolute path: text }) in memory.
 * Returns `{ broken: [messages in the sources after], breaks: [{ fixture, errors }] (compiled
 * before, fails after), failingBefore: [{ fixture, errors }] }`.
 */
export function checkConsumers(root, newFiles) {
  const ts = loadTypeScript(root);
  const { fixtures, rootNames, options, hostWith } = setup(ts, root);
  const beforeProgram = ts.createProgram({ rootNames, options, host: hostWith({}) });
  const before = fixtureMessages(ts, root, beforeProgram, fixtures);
  const afterProgram = ts.createProgram({
    rootNames,
    options,
    host: hostWith(newFiles),
    oldProgram: beforeProgram,
  });
  const after = fixtureMessages(ts, root, afterProgram, fixtures);
  const inFixtures = new Set(fixtures);
  const broken = messages(
    ts,
    root,
    ts.getPreEmitDiagnostics(afterProgram).filter((d) => !inFixtures.has(d.file?.fileName)),
  );
  const breaks = [];
  const failingBefore = [];
  for (const [fixture, errors] of after) {
    const earlier = before.get(fixture) ?? [];
    if (earlier.length > 0) failingBefore.push({ fixture, errors: earlier });
    else if (errors.length > 0) breaks.push({ fixture, errors });
  }
  return { broken, breaks, failingBefore };
}

// The consumers' check of a spec update, with the newly generated files in memory (nothing is
// written):
//
//   - the whole workspace: every package that depends on @dt-tokens/types (directly or through
//     another package: the client, the sandbox, the CLI, the dashboard, the release tests) and the
//     types package itself, each compiled as its own `tsc -p tsconfig.json` would (its tsconfig's
//     files and options, type tests and tests included), with the other workspace packages read
//     from their sources. An error there means the tree does not build: spec:update refuses the
//     update and names the package, file, line and error;
//   - the consumer fixtures (spec/consumer-fixtures/*.ts, small strict files that use
//     @dt-tokens/types and @dt-tokens/client the way users do), once as the tree is and once with
//     the new files: a fixture that compiled before and fails after means a consumer's build
//     breaks, so the bump is major whatever the OpenAPI diff says.
//
// One TypeScript program per package (their options differ: the dashboard is a Vite app), all
// sharing one parse of each file (the DOM and Node.js declarations are most of the work).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";
import { workspaceDirs } from "./changeset.mjs";

export const FIXTURES_DIR = "spec/consumer-fixtures";
/** The package whose generated files change; everything that depends on it is checked. */
const TYPES_PACKAGE = "@dt-tokens/types";

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

/** The workspace's packages: `{ name, dir, manifest }`. */
function workspacePackages(root) {
  return workspaceDirs(root).map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    return { name: manifest.name, dir, manifest };
  });
}

const dependencyNames = (manifest) =>
  Object.keys({ ...manifest.dependencies, ...manifest.devDependencies, ...manifest.peerDependencies });

/** The types package and every package that depends on it, directly or not, in dependency order. */
function typesDependents(packages) {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const reaches = new Map();
  const reachesTypes = (name, seen = new Set()) => {
    if (name === TYPES_PACKAGE) return true;
    if (reaches.has(name)) return reaches.get(name);
    const pkg = byName.get(name);
    if (!pkg || seen.has(name)) return false;
    seen.add(name);
    const result = dependencyNames(pkg.manifest).some((dep) => reachesTypes(dep, seen));
    reaches.set(name, result);
    return result;
  };
  const found = packages.filter((p) => reachesTypes(p.name));
  // Dependencies first, so the first package named in a refusal is the one closest to the cause.
  const depth = (p, seen = new Set()) => {
    if (seen.has(p.name)) return 0;
    seen.add(p.name);
    const deps = dependencyNames(p.manifest)
      .map((d) => byName.get(d))
      .filter((d) => d && found.includes(d));
    return deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => depth(d, seen)));
  };
  return found
    .map((p) => [depth(p), p])
    .sort((a, b) => a[0] - b[0])
    .map(([, p]) => p);
}

/**
 * `paths` that resolve every workspace package's exports to its sources: an export whose types are
 * `./dist/<name>.d.ts` is `src/<name>.ts` (the packages build each entry from the file of that name).
 */
function sourcePaths(packages) {
  const paths = {};
  for (const { name, dir, manifest } of packages) {
    if (!manifest.exports || typeof manifest.exports !== "object") continue;
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      const types = typeof target === "object" ? target?.types : undefined;
      const m = typeof types === "string" ? /^\.\/dist\/(.+)\.d\.ts$/.exec(types) : null;
      if (!m) continue;
      const source = join(dir, "src", `${m[1]}.ts`);
      if (existsSync(source)) paths[subpath === "." ? name : `${name}${subpath.slice(1)}`] = [source];
    }
  }
  return paths;
}

/**
 * One parse per file and per way of reading it (language version, module format), shared by every
 * program of the check; `overrides` ({ absolute path: text }) replace files on disk when asked for.
 */
function sourceFiles(ts) {
  const parsed = new Map();
  return (overrides) => (options) => {
    const host = ts.createCompilerHost(options);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (f) => Object.hasOwn(overrides, f) || fileExists.call(host, f);
    host.readFile = (f) => (Object.hasOwn(overrides, f) ? overrides[f] : readFile.call(host, f));
    host.getSourceFile = (f, language, onError, create) => {
      const how =
        typeof language === "object" ? `${language.languageVersion}/${language.impliedNodeFormat}` : language;
      const key = `${Object.hasOwn(overrides, f) ? "new" : "disk"}:${how}:${f}`;
      if (!parsed.has(key)) {
        parsed.set(
          key,
          Object.hasOwn(overrides, f)
            ? ts.createSourceFile(f, overrides[f], language)
            : getSourceFile.call(host, f, language, onError, create),
        );
      }
      return parsed.get(key);
    };
    return host;
  };
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

const diagnosticsOf = (program, file) => [
  ...program.getSyntacticDiagnostics(file),
  ...program.getSemanticDiagnostics(file),
];

/** Never copied: what is installed, built, cached or reported. */
const NOT_COPIED = new Set([".git", "node_modules", "dist", ".turbo", ".test-results"]);

/**
 * A copy of the repository in `scratch` (its sources, a few megabytes; node_modules linked to the
 * real ones, for the root and each package in `packages`) with `newFiles` written over it.
 * Returns the copy's folder.
 */
function workspaceCopy(root, packages, newFiles, scratch) {
  const copy = join(scratch, "workspace");
  cpSync(root, copy, { recursive: true, filter: (from) => !NOT_COPIED.has(basename(from)) });
  for (const dir of [root, ...packages.map((p) => p.dir)]) {
    const modules = join(dir, "node_modules");
    if (existsSync(modules)) symlinkSync(modules, join(copy, relative(root, dir), "node_modules"));
  }
  for (const [path, text] of Object.entries(newFiles)) writeFileSync(join(copy, relative(root, path)), text);
  return copy;
}

/** tsgo's binary (TypeScript's native compiler: a whole-workspace check in seconds, not minutes). */
function tsgoBin(root) {
  let manifest;
  try {
    manifest = createRequire(join(root, "package.json")).resolve("@typescript/native-preview/package.json");
  } catch {
    throw new Error(
      `${TSGO} is not installed (a devDependency of the root package.json; the workspace check runs it): run pnpm install, then spec:update again`,
    );
  }
  return join(dirname(manifest), "bin", "tsgo");
}

const TSGO = "tsgo (@typescript/native-preview)";

/** tsgo's `file(line,col): error TSnnnn: message` lines as `file:line: TSnnnn: message`. */
function tsgoMessages(output, copy) {
  const found = [];
  for (const line of output.split("\n")) {
    const m = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line);
    if (m) found.push(`${relative(copy, resolve(copy, m[1]))}:${m[2]}: ${m[3]}: ${m[4]}`);
    else if (/^error (TS\d+): /.test(line)) found.push(`(program): ${line.slice("error ".length)}`);
  }
  return found;
}

/**
 * The packages in groups that one tsgo program can check: the same compiler options but for
 * `allowJs` (on for the group when any member has it; JavaScript is only checked with `checkJs`,
 * which must agree). Each group is `{ members, fileNames, allowJs }`.
 */
function programGroups(ts, packages) {
  const groups = new Map();
  for (const pkg of packages) {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(pkg.dir, "tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: () => {},
      },
    );
    if (!config) continue; // tsgo, run on it alone, reports what is wrong with it
    const { allowJs, checkJs, configFilePath, pathsBasePath, ...rest } = config.options;
    const key = JSON.stringify({ ...rest, checkJs: Boolean(checkJs) });
    const group = groups.get(key) ?? { members: [], fileNames: [], allowJs: false };
    group.members.push(pkg);
    group.fileNames.push(...config.fileNames);
    group.allowJs ||= Boolean(allowJs);
    groups.set(key, group);
  }
  const grouped = new Set([...groups.values()].flatMap((g) => g.members));
  const alone = packages.filter((p) => !grouped.has(p)).map((p) => ({ members: [p] }));
  return [...groups.values(), ...alone];
}

/**
 * Every workspace package that depends on the types, type-checked as its own
 * `tsc -p tsconfig.json` would (its files and options, tests and type tests included) with
 * `newFiles` in place, in a copy of the workspace in `scratch`: the other workspace packages are
 * read from the copy's sources (`paths`), so no build is needed and the tree is never touched.
 * Packages whose options agree share one program (each file is checked once).
 * Returns `[{ name, dir, errors: [message] }]` for the packages that do not typecheck.
 */
function checkWorkspace(ts, root, newFiles, scratch) {
  const checked = typesDependents(workspacePackages(root)).filter(({ dir }) =>
    existsSync(join(dir, "tsconfig.json")),
  );
  const copy = workspaceCopy(root, checked, newFiles, scratch);
  const inCopy = checked.map((p) => ({ ...p, dir: join(copy, relative(root, p.dir)) }));
  const paths = sourcePaths(inCopy);
  const tsgo = tsgoBin(root);
  const errorsOf = new Map();
  for (const { members, fileNames, allowJs } of programGroups(ts, inCopy)) {
    // In the first member's folder, so that its `types` resolve as they do for it.
    const config = join(members[0].dir, "tsconfig.spec-update.json");
    const compilerOptions = { noEmit: true, paths, ...(fileNames && { allowJs }) };
    writeFileSync(
      config,
      JSON.stringify({
        extends: "./tsconfig.json",
        compilerOptions,
        ...(fileNames && { files: fileNames, include: [] }),
      }),
    );
    const run = spawnSync(process.execPath, [tsgo, "-p", config, "--pretty", "false"], {
      cwd: copy,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.error) throw new Error(`the workspace check could not run ${TSGO}: ${run.error.message}`);
    if (run.status === 0) continue;
    const errors = tsgoMessages(`${run.stdout}\n${run.stderr}`, copy);
    if (errors.length === 0) {
      // Not a verdict on the packages: tsgo itself failed (its platform binary missing, a crash, a
      // signal), so nothing is known about whether they typecheck.
      const output = (run.stderr || run.stdout).trim().split("\n").slice(0, 5).join("\n  ");
      throw new Error(
        `the workspace check could not run ${TSGO}: it exited ${run.status ?? run.signal} without a type error${output ? `:\n  ${output}` : ""}\nReinstall it (pnpm install), then run spec:update again.`,
      );
    }
    for (const message of errors) {
      // The package whose folder holds the file (the deepest one), else the group's first.
      const file = join(copy, message.slice(0, message.indexOf(":")));
      const owner =
        members
          .filter((p) => !relative(p.dir, file).startsWith(".."))
          .sort((a, b) => b.dir.length - a.dir.length)[0] ?? members[0];
      errorsOf.set(owner, [...(errorsOf.get(owner) ?? []), message]);
    }
  }
  return inCopy
    .filter((p) => errorsOf.has(p))
    .map((p) => ({ name: p.name, dir: relative(copy, p.dir), errors: errorsOf.get(p) }));
}

/** The fixtures' options: strict, as a user's project would be, with the packages from their sources. */
function fixtureOptions(ts, root) {
  return {
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
    paths: sourcePaths(workspacePackages(root)),
  };
}

/** Each fixture's messages in `program` (only the fixtures are checked, and what they use). */
function fixtureMessages(ts, root, program, fixtures) {
  return new Map(
    fixtures.map((f) => [
      relative(root, f),
      messages(ts, root, diagnosticsOf(program, program.getSourceFile(f))),
    ]),
  );
}

/**
 * The check of `newFiles` ({ absolute path: text }, the regenerated types), with `scratch` (an
 * empty folder) for the workspace's copy. Returns
 * `{ broken: [{ name, dir, errors }] (workspace packages that no longer typecheck),
 *    breaks: [{ fixture, errors }] (compiled before, fails after),
 *    failingBefore: [{ fixture, errors }] }`.
 */
export function checkConsumers(root, newFiles, scratch) {
  const ts = loadTypeScript(root);
  const reading = sourceFiles(ts);
  const fixtures = tsFiles(join(root, FIXTURES_DIR));
  const options = fixtureOptions(ts, root);
  const beforeProgram = ts.createProgram({ rootNames: fixtures, options, host: reading({})(options) });
  const before = fixtureMessages(ts, root, beforeProgram, fixtures);
  const afterProgram = ts.createProgram({
    rootNames: fixtures,
    options,
    host: reading(newFiles)(options),
    oldProgram: beforeProgram,
  });
  const after = fixtureMessages(ts, root, afterProgram, fixtures);
  const breaks = [];
  const failingBefore = [];
  for (const [fixture, errors] of after) {
    const earlier = before.get(fixture) ?? [];
    if (earlier.length > 0) failingBefore.push({ fixture, errors: earlier });
    else if (errors.length > 0) breaks.push({ fixture, errors });
  }
  const broken = checkWorkspace(ts, root, newFiles, scratch);
  return { broken, breaks, failingBefore };
}

#!/usr/bin/env node
import { rmSync } from "node:fs";
// pnpm spec:update <path or URL of a Dynatrace Environment API v2 document> [options]
//
// From a newer upstream document to a reviewed change: vendors it under spec/upstream/ (build in
// the name, the older snapshot removed), re-derives spec/api-tokens.yaml (sync.mjs: openapi-format,
// the overlay, the scope lists), regenerates @dt-tokens/types, diffs the old and new derived spec
// (classify.mjs), writes a changeset with the bump the changes demand and prints their summary.
// Everything, the regenerated types included, is computed before the first write; a failure while
// writing restores what was there, and Ctrl-C or SIGTERM while writing waits for the last file.
// When the derived spec does not change, nothing is written.
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { changesetText, packagesToBump } from "./changeset.mjs";
import { bumpFor, classifyChanges } from "./classify.mjs";
import { checkConsumers } from "./consumers.mjs";
import { fetchBuild, fetchUpstream } from "./fetch-upstream.mjs";
import { latestScopeList, readScopeList, SCOPE_LIST_NAME } from "./scope-lists.mjs";
import { summaryText } from "./summary.mjs";
import { deriveSpec, latestUpstream, specDir, specPath, UPSTREAM_NAME, upstreamDir } from "./sync.mjs";

const root = resolve(specDir, "..");
const USAGE = `usage: pnpm spec:update <path or URL of Dynatrace's Environment API v2 document> [options]

  --build <major.build>     the document's build, e.g. 1.256 (default: from a file named
                            dynatrace-env-v2-<major>.<build>.json, or for a URL from the
                            environment's /api/v1/config/clusterversion with DT_API_TOKEN)
  --scopes <path>           a newer scope list to vendor too
                            (dynatrace-token-scopes-<source>-<x.y.z>.json: { create, response })
  --summary-file <path>     also write the summary there (spec-watch uses it as the PR body)
  -h, --help                show this help`;

function options(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        build: { type: "string" },
        scopes: { type: "string" },
        "summary-file": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new UsageError(err.message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length !== 1) throw new UsageError("name exactly one upstream document (a path or a URL)");
  if (values.build !== undefined && !/^\d+\.\d+$/.test(values.build)) {
    throw new UsageError(`--build takes <major>.<build> such as 1.256, got "${values.build}"`);
  }
  return {
    source: positionals[0],
    build: values.build,
    scopes: values.scopes,
    summaryFile: values["summary-file"],
  };
}

class UsageError extends Error {}

const buildOf = (name) => {
  const m = UPSTREAM_NAME.exec(name);
  return m ? `${m[1]}.${m[2]}` : undefined;
};

/** The document's text and build, from a path or a URL. */
async function loadSource({ source, build }) {
  if (/^https?:\/\//.test(source)) {
    const text = await fetchUpstream(source);
    if (build) return { text, build };
    const token = process.env.DT_API_TOKEN;
    if (!token) {
      throw new UsageError(
        "for a URL, pass --build <major.build> or set DT_API_TOKEN to read it from the environment",
      );
    }
    return { text, build: await fetchBuild(source, token) };
  }
  const path = resolve(process.cwd(), source);
  const text = await readFile(path, "utf8").catch((err) => {
    throw new UsageError(`cannot read ${source}: ${err.code === "ENOENT" ? "no such file" : err.message}`);
  });
  const named = buildOf(basename(path));
  if (!build && !named) {
    throw new UsageError(
      `cannot tell the build of ${basename(path)}: name it dynatrace-env-v2-<major>.<build>.json or pass --build`,
    );
  }
  return { text, build: build ?? named };
}

/**
 * The API a spec text describes: the document without the upstream build and file it names in
 * `info` (a newer build that changes nothing for API tokens is no change).
 */
function apiOf(text) {
  const doc = parse(text);
  delete doc.info?.["x-upstream-build"];
  delete doc.info?.["x-upstream-document"];
  return doc;
}

/** Whether two spec texts describe the same API (the generated header names the source). */
function sameData(a, b) {
  return JSON.stringify(apiOf(a)) === JSON.stringify(apiOf(b));
}

/** Orders `<major>.<build>` strings numerically. */
function compareBuilds(a, b) {
  const [aMajor, aBuild] = a.split(".").map(Number);
  const [bMajor, bBuild] = b.split(".").map(Number);
  return aMajor - bMajor || aBuild - bBuild;
}

async function readOptional(path) {
  return readFile(path).catch((err) => (err.code === "ENOENT" ? undefined : Promise.reject(err)));
}

/** Writes `files` ({ path: text | Buffer | undefined = delete }); restores every one on failure. */
async function writeAll(files) {
  const backups = new Map();
  for (const path of Object.keys(files)) backups.set(path, await readOptional(path));
  try {
    for (const [path, content] of Object.entries(files)) {
      if (content === undefined) await rm(path, { force: true });
      else await writeFile(path, content);
    }
  } catch (err) {
    for (const [path, content] of backups) {
      if (content === undefined) await rm(path, { force: true });
      else await writeFile(path, content);
    }
    throw err;
  }
}

/**
 * Ctrl-C, SIGTERM and SIGHUP during a run: before the writes they end it at once (removing the
 * scratch folder); during the writes they wait for the last file, so an interruption leaves every
 * file old or every file new, never a mix (a mix is not healed by a re-run, which sees the new spec
 * and reports "no changes"). `release()` ends the watch and delivers a held signal.
 */
function watchInterruptions(scratch) {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
  let holding = false;
  let held;
  const stop = () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  function onSignal(signal) {
    if (holding) {
      held = signal;
      return;
    }
    rmSync(scratch, { recursive: true, force: true });
    stop();
    process.kill(process.pid, signal);
  }
  for (const signal of signals) process.on(signal, onSignal);
  return {
    async whileWriting(write) {
      holding = true;
      return write();
    },
    release() {
      stop();
      if (held) process.kill(process.pid, held);
    },
  };
}

/** The regenerated @dt-tokens/types files (absolute path → text) for the spec at `path`. */
async function generatedTypes(path) {
  const typesDir = join(root, "packages", "types");
  const { generate } = await import(pathToFileURL(join(typesDir, "scripts", "generate.mjs")).href);
  let files;
  try {
    files = await generate(path);
  } catch (err) {
    throw new Error(`regenerating @dt-tokens/types failed:\n${err.stack ?? err.message}`);
  }
  return Object.fromEntries(Object.entries(files).map(([file, text]) => [join(typesDir, file), text]));
}

/** The refusal when the workspace no longer typechecks: each package, then its first errors. */
function brokenText(broken) {
  const shown = 10;
  const cut = (m) => (m.length > 300 ? `${m.slice(0, 300)}…` : m);
  const lines = broken.flatMap(({ name, dir, errors }) => [
    `  ${name} (${dir}): ${errors.length} error${errors.length === 1 ? "" : "s"}`,
    ...errors.slice(0, shown).map((m) => `    ${cut(m)}`),
    ...(errors.length > shown ? [`    … ${errors.length - shown} more`] : []),
  ]);
  return (
    `the packages do not typecheck with the new types, so nothing was written:\n${lines.join("\n")}\n` +
    "Adapt the code named above (or the overlay) in the same change, then run spec:update again."
  );
}

/** The schemas whose `scopes` enum upstream keeps (the overlay replaces it by the scope list). */
const SCOPE_ENUM_SCHEMAS = ["ApiToken", "ApiTokenCreate", "ApiTokenUpdate"];

/**
 * One line per schema whose scope enum in the new upstream document no longer lists scopes the
 * vendored one listed. The derived spec takes its scopes from the scope list, so without this line
 * such a change would be "no changes" (rule 3: an upstream change is always reported).
 */
export function withdrawnScopes(oldDoc, newDoc, scopeListName) {
  const enumOf = (doc, schema) => doc?.components?.schemas?.[schema]?.properties?.scopes?.items?.enum ?? [];
  return SCOPE_ENUM_SCHEMAS.flatMap((schema) => {
    const now = new Set(enumOf(newDoc, schema));
    const gone = enumOf(oldDoc, schema).filter((scope) => !now.has(scope));
    if (gone.length === 0) return [];
    return [
      `Upstream's ${schema}.scopes enum no longer lists ${gone.map((s) => `\`${s}\``).join(", ")}; the spec's scopes come from the scope list ${scopeListName}, which still decides: if Dynatrace withdrew them, run spec:update again with --scopes and a newer list`,
    ];
  });
}

export async function specUpdate(argv) {
  const opts = options(argv);
  if (opts.help) {
    console.log(USAGE);
    return { changed: false };
  }
  const { text, build } = await loadSource(opts);
  const currentUpstream = await latestUpstream();
  const currentScopes = await latestScopeList(upstreamDir);
  const fromBuild = buildOf(basename(currentUpstream));
  const upstreamName = `dynatrace-env-v2-${build}.json`;
  if (compareBuilds(build, fromBuild) < 0) {
    throw new UsageError(
      `build ${build} is older than the vendored ${fromBuild}: spec:update only moves forward`,
    );
  }

  // Derive in a scratch folder first: the spec header names the vendored file.
  const scratch = await mkdtemp(join(tmpdir(), "dt-tokens-spec-update-"));
  const interruptions = watchInterruptions(scratch);
  try {
    await writeFile(join(scratch, upstreamName), text);
    let scopesName = basename(currentScopes);
    let scopesPath = currentScopes;
    if (opts.scopes) {
      scopesName = basename(opts.scopes);
      if (!SCOPE_LIST_NAME.test(scopesName)) {
        throw new UsageError(
          `name the scope list dynatrace-token-scopes-<source>-<x.y.z>.json, got ${scopesName}`,
        );
      }
      scopesPath = join(scratch, scopesName);
      await copyFile(resolve(process.cwd(), opts.scopes), scopesPath);
      await readScopeList(scopesPath);
    }
    const newSpecText = await deriveSpec(join(scratch, upstreamName), scopesPath, opts.source);
    const oldSpecText = await readFile(specPath, "utf8");
    const changes = classifyChanges(apiOf(oldSpecText), apiOf(newSpecText));
    if (changes.length === 0 && !sameData(oldSpecText, newSpecText)) {
      // The differ matches array entries by value: a reordering is real but reported as nothing.
      changes.push({ level: "text", message: "Entries reordered (no addition or removal)", pointer: "" });
    }
    // The overlay replaces upstream's scope enums by the vendored scope list, so a scope upstream
    // stops listing would leave the derived spec as it was: report it, never let it vanish.
    const oldUpstream = JSON.parse(await readFile(currentUpstream, "utf8"));
    for (const message of withdrawnScopes(oldUpstream, JSON.parse(text), scopesName)) {
      changes.push({ level: "text", message, pointer: "" });
    }
    if (!bumpFor(changes)) {
      const summary = `Dynatrace API-tokens API, upstream build ${fromBuild} → ${build}: no changes to the API-tokens API; nothing written.`;
      console.log(summary);
      if (opts.summaryFile) await writeFile(opts.summaryFile, `${summary}\n`);
      return { changed: false, changes, summary };
    }

    const newSpecPath = join(scratch, "api-tokens.yaml");
    await writeFile(newSpecPath, newSpecText);
    const types = await generatedTypes(newSpecPath);
    // The new types against every package that depends on them and the consumer fixtures.
    const consumers = checkConsumers(root, types, scratch);
    if (consumers.broken.length > 0) throw new Error(brokenText(consumers.broken));
    for (const { fixture, errors } of consumers.breaks) {
      changes.unshift({
        level: "breaking",
        message: `A consumer's build breaks: ${fixture} compiled with the old types and fails with the new ones (${errors[0].replace(`${fixture}:`, "line ")}${errors.length > 1 ? `; ${errors.length - 1} more` : ""})`,
        pointer: "",
      });
    }
    for (const { fixture, errors } of consumers.failingBefore) {
      console.error(`warning: ${fixture} does not compile even with the current types: ${errors[0]}`);
    }
    const bump = bumpFor(changes);
    const packages = packagesToBump(root);
    const summary = summaryText({ fromBuild, toBuild: build, changes, bump });
    const changesetPath = join(root, ".changeset", `spec-update-${build.replace(".", "-")}.md`);
    const files = {
      [join(upstreamDir, upstreamName)]: text,
      [specPath]: newSpecText,
      ...types,
      [changesetPath]: changesetText(packages, bump, summary),
    };
    for (const name of await readdir(upstreamDir)) {
      const path = join(upstreamDir, name);
      if (UPSTREAM_NAME.test(name) && name !== upstreamName) files[path] = undefined;
      if (opts.scopes && SCOPE_LIST_NAME.test(name) && name !== scopesName) files[path] = undefined;
    }
    if (opts.scopes) files[join(upstreamDir, scopesName)] = await readFile(scopesPath);
    // With the rest: a summary file that cannot be written undoes the update, it does not follow it.
    if (opts.summaryFile) files[resolve(process.cwd(), opts.summaryFile)] = `${summary}\n`;
    await interruptions.whileWriting(() => writeAll(files));

    const printed = `${summary}\n\nBumps (${bump}): ${packages.join(", ")}.\nWrote ${relative(root, changesetPath)}; review it, then open a pull request.`;
    console.log(printed);
    return { changed: true, changes, bump, packages, summary, changesetPath };
  } finally {
    await rm(scratch, { recursive: true, force: true });
    interruptions.release();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  specUpdate(process.argv.slice(2)).catch((err) => {
    console.error(`spec:update failed: ${err.message}`);
    if (err instanceof UsageError) console.error(`\n${USAGE}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}

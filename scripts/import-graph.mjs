/**
 * The import graph of each package's src/ (relative imports), read with the TypeScript compiler's
 * parser, and the two rules it must keep:
 * - no import cycle in any package among the imports that run when a module loads (`import type`
 *   is erased, and a lazily loaded `import()` that imports back is no initialisation cycle);
 * - in the CLI, a command module (src/commands/...) is imported only by src/program.ts, which
 *   wires the commands: no command imports another, and shared code lives below the commands.
 * `node scripts/import-graph.mjs` prints every violation (exit 1 if there is one); the release
 * tests run it on every package (tests/release/test/import-graph.test.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const SOURCE = /\.(ts|tsx|mts)$/;

function sourceFiles(dir) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (SOURCE.test(name) && !name.endsWith(".d.ts")) files.push(path);
  }
  return files;
}

/** The file a relative specifier names (`./x.js` is `./x.ts` or `./x.tsx` in source), if it is one. */
function resolveImport(from, specifier) {
  if (!specifier.startsWith(".")) return undefined;
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(m?js|jsx)$/, "");
  const candidates = [
    base,
    `${stem}.ts`,
    `${stem}.tsx`,
    `${stem}.mts`,
    join(base, "index.ts"),
    join(base, "index.tsx"),
  ];
  return candidates.find((c) => SOURCE.test(c) && existsSync(c) && statSync(c).isFile());
}

/** The module specifiers of a file: static imports and re-exports, and dynamic `import()` apart. */
function specifiers(file) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const found = { static: [], dynamic: [], types: [] };
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly : node.isTypeOnly;
      (typeOnly ? found.types : found.static).push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    )
      found.dynamic.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * file -> the files of the same tree it imports. `loading: true` keeps only what runs when a module
 * loads: no `import type` (erased) and no `import()` (a module loaded later, on first use, such as
 * the client's OAuth chunk, may import back into its loader without an initialisation cycle).
 * Both still count as importing a command.
 */
export function importGraph(srcDir, { loading = false } = {}) {
  const graph = new Map();
  for (const file of sourceFiles(srcDir)) {
    const found = specifiers(file);
    const names = loading ? found.static : [...found.static, ...found.dynamic, ...found.types];
    const targets = names.map((name) => resolveImport(file, name)).filter(Boolean);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * One cycle per group of files that import each other (Tarjan's strongly connected components): the
 * shortest way around from the group's first file in sorted order back to it.
 */
export function cycles(graph) {
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (node) => {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), indices.get(next)));
    }
    if (low.get(node) !== indices.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component);
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node);
  return components.map((component) => shortestLoop(graph, new Set(component))).sort();
}

/** The shortest path from the first file of a component (sorted) back to itself, within it. */
function shortestLoop(graph, members) {
  const start = [...members].sort()[0];
  const previous = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]));
        return path;
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

/**
 * Imports of a command module (under `commandsDir`) by any file other than `wiring`: a command
 * importing another, or shared code reaching up into a command.
 */
export function commandImports(graph, commandsDir, wiring) {
  const isCommand = (file) => !relative(commandsDir, file).startsWith("..");
  const found = [];
  for (const [file, targets] of graph)
    for (const target of targets)
      if (isCommand(target) && file !== wiring) found.push({ file, imports: target });
  return found;
}

/** The packages whose src/ is checked: every workspace package under packages/, apps/ and spec/. */
export function packageSources(root) {
  const dirs = [];
  for (const group of ["packages", "apps"])
    for (const name of readdirSync(join(root, group))) dirs.push(join(root, group, name, "src"));
  dirs.push(join(root, "spec", "src"));
  return dirs.filter((d) => existsSync(d));
}

/** Every violation in the repository at `root`, as lines of text (none: the rules hold). */
export function violations(root) {
  const lines = [];
  for (const src of packageSources(root)) {
    const graph = importGraph(src);
    for (const cycle of cycles(importGraph(src, { loading: true })))
      lines.push(`import cycle: ${[...cycle, cycle[0]].map((f) => relative(root, f)).join(" -> ")}`);
    const commandsDir = join(src, "commands");
    if (existsSync(commandsDir))
      for (const { file, imports } of commandImports(graph, commandsDir, join(src, "program.ts")))
        lines.push(
          `command imported outside program.ts: ${relative(root, file)} imports ${relative(root, imports)} (move what they share below commands/)`,
        );
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const found = violations(root);
  for (const line of found) console.error(line);
  if (found.length > 0) process.exit(1);
  console.log(
    `no import cycle, no command imported outside program.ts (${packageSources(root).length} packages)`,
  );
}

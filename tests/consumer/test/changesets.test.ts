// Every pending changeset parses the way `changeset version` will read it, and releases only
// published workspace packages. (A formatter once turned a frontmatter into a Markdown heading;
// changesets then silently drops the file from the release.)
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import parse from "@changesets/parse";
import { expect, test } from "vitest";
import { ROOT, workspacePackages } from "./workspace.js";

const dir = join(ROOT, ".changeset");
const files = readdirSync(dir).filter((f) => f.endsWith(".md") && f !== "README.md");
const published = new Set(
  workspacePackages()
    .filter((p) => !p.manifest.private)
    .map((p) => p.name),
);

test.each(files)("%s names published packages with a bump and a summary", (file) => {
  const { releases, summary } = parse(readFileSync(join(dir, file), "utf8"));
  expect(releases.length, `${file} releases nothing: is its frontmatter intact?`).toBeGreaterThan(0);
  for (const { name, type } of releases) {
    expect(published.has(name), `${file}: ${name} is not a published workspace package`).toBe(true);
    expect(["major", "minor", "patch"]).toContain(type);
  }
  expect(summary.trim().length).toBeGreaterThan(20);
});

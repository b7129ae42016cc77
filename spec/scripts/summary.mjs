// The human-readable summary of a spec update: printed by `pnpm spec:update`, the body of its
// changeset (so of the changelogs) and of the spec-watch pull request.

const SECTIONS = [
  ["breaking", "Breaking changes"],
  ["addition", "Additions"],
  ["text", "Documentation"],
];

const BUMP_REASON = {
  major: "major: something users rely on was removed, narrowed or newly required",
  minor: "minor: only additions",
  patch: "patch: only descriptions and examples",
};

export function summaryText({ fromBuild, toBuild, changes, bump, packages }) {
  const lines = [
    `Dynatrace API-tokens API, upstream build ${fromBuild} → ${toBuild} (${BUMP_REASON[bump]}).`,
  ];
  for (const [level, title] of SECTIONS) {
    const items = changes.filter((c) => c.level === level);
    if (items.length === 0) continue;
    lines.push("", `**${title}**`, "", ...items.map((c) => `- ${c.message}`));
  }
  if (packages) lines.push("", `Bumps (${bump}): ${packages.join(", ")}.`);
  return lines.join("\n");
}

/**
 * The rule for commands in workflows: each one is a root package.json script, called through pnpm
 * (`pnpm <script>`, `pnpm run <script>`, `npx -y pnpm@x.y.z <script>`) or run directly as the exact
 * command a script names (`.ci/run` for `"test:ci": ".ci/run"`). The one pnpm built-in allowed is
 * a frozen install. Workflows stay thin: the logic lives in scripts that run, and are tested, locally.
 */
import { parse } from "yaml";

const PNPM = /^(?:npx -y pnpm@\d+\.\d+\.\d+|pnpm)\s+(?:run\s+)?(\S+)/;
const FROZEN_INSTALL = /^(?:npx -y pnpm@\d+\.\d+\.\d+|pnpm)\s+install\s+--frozen-lockfile$/;

/** Why a command line is not acceptable, or undefined when it calls an existing script. */
export function problemWith(command: string, scripts: Record<string, string>): string | undefined {
  if (FROZEN_INSTALL.test(command)) return undefined;
  if (Object.values(scripts).includes(command)) return undefined;
  const match = PNPM.exec(command);
  if (!match)
    return `"${command}" is neither \`pnpm <script>\` nor the command of a root package.json script`;
  const name = match[1]!;
  if (!(name in scripts)) return `"${command}" calls "${name}", which the root package.json does not define`;
  return undefined;
}

/** Why a root script cannot run, or undefined: a `node <file>` script's file must exist. */
export function scriptFileProblem(
  name: string,
  scripts: Record<string, string>,
  exists: (path: string) => boolean,
) {
  const file = /^node\s+(\S+)/.exec(scripts[name] ?? "")?.[1];
  if (file && !exists(file)) return `script "${name}" runs ${file}, which does not exist`;
  return undefined;
}

/** The root script a command calls through pnpm, if any. */
export function scriptNameOf(command: string): string | undefined {
  return PNPM.exec(command)?.[1];
}

export interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, string | boolean>;
  env?: Record<string, string>;
}

/** Every command a workflow runs: each line of its `run:` steps and changesets/action's commands. */
export function commandsOf(workflowText: string): { where: string; command: string }[] {
  const doc = parse(workflowText) as { jobs: Record<string, { steps?: Step[] }> };
  return Object.entries(doc.jobs).flatMap(([job, { steps = [] }]) =>
    steps.flatMap((step, index) => {
      const where = `jobs.${job}.steps[${index}]`;
      const lines = step.run ? step.run.split("\n") : [];
      if (step.uses?.startsWith("changesets/action@")) {
        lines.push(String(step.with?.version ?? ""), String(step.with?.publish ?? ""));
      }
      return lines
        .map((line) => line.trim())
        .filter(Boolean)
        .map((command) => ({ where, command }));
    }),
  );
}

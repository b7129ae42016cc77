/**
 * The CLI's state directory, where rotations keep their journals and locks:
 * `$XDG_STATE_HOME/dt-tokens`, else `~/.local/state/dt-tokens`; mode 0700 (journals hold secrets).
 */
import { mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Env } from "../io.js";

export function stateDir(env: Env): string {
  const base = env.XDG_STATE_HOME?.trim() || join(env.HOME?.trim() || homedir(), ".local", "state");
  return join(base, "dt-tokens");
}

/** A subdirectory of the state directory, created 0700 when missing. */
export async function stateSubdir(env: Env, name: string): Promise<string> {
  const dir = join(stateDir(env), name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

// The rehearsal's temporary clone: every file git would commit from the working tree (tracked and
// untracked, not ignored, uncommitted edits included; in CI that is a clean clone of HEAD), in a
// fresh repository with one commit, so that `changeset version` and `changeset publish` (which
// tags) run there and never touch the real repository.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export async function copyWorkspace(root, to) {
  const { stdout } = await exec("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  const files = stdout.split("\0").filter((f) => f && existsSync(join(root, f)));
  for (const file of files) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(join(root, file), join(to, file));
  }
  const git = (...args) =>
    exec("git", ["-c", "user.name=release rehearsal", "-c", "user.email=rehearsal@localhost", ...args], {
      cwd: to,
    });
  await git("init", "-q", "-b", "main");
  await git("add", "-A");
  await git("commit", "-q", "--no-verify", "-m", "release rehearsal snapshot");
  return files.length;
}

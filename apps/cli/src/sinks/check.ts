/**
 * Checks a sink before a rotation creates anything: placeholders fill in, the directory of a file
 * exists and is writable, an existing file is a regular file that can be read (it is replaced, not written in place), and a
 * dotenv or properties file's key can be replaced. What a check cannot know (the new token's id, what a command
 * will do) is left to the delivery, whose failure rolls the rotation back.
 */
import { constants } from "node:fs";
import { access, readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { resolveLinks } from "./before.js";
import { setDotenvKey } from "./dotenv.js";
import { describeSink, type SinkSpec } from "./parse.js";
import { setPropertiesKey } from "./properties.js";
import type { SinkTokenInfo } from "./sink.js";
import { fillPath, placeholders } from "./template.js";

/** Throws an Error saying what is wrong with the sink for this token; resolves when it looks deliverable. */
export async function checkSink(spec: SinkSpec, info: Omit<SinkTokenInfo, "newId">): Promise<void> {
  // As the delivery will say it (placeholders filled in), or as given when they cannot be.
  let label =
    spec.kind === "stdout" ? "stdout" : `${spec.kind}:${spec.kind === "exec" ? spec.command : spec.path}`;
  try {
    label = describeSink(spec, { ...info, newId: "{newId}" });
    if (spec.kind === "file" || spec.kind === "dotenv" || spec.kind === "properties")
      await checkPath(spec, info);
  } catch (error) {
    throw new Error(`${label}: ${(error as Error).message}`);
  }
}

async function checkPath(spec: SinkSpec & { path: string }, info: Omit<SinkTokenInfo, "newId">) {
  // {newId} is not known before the token exists: a stand-in lets the rest of the path be checked.
  const path = resolve(fillPath(spec.path, { ...info, newId: "newId" }));
  // stat follows links (/dev/stdout to a pipe): reading one would hang.
  const found = await stat(path).catch(() => undefined);
  if (found && !found.isFile()) throw new Error(`${path} is not a regular file`);
  // The file really written: a link's target, also when the link dangles (the link is kept).
  const real = await resolveLinks(path);
  if (!found) {
    if (placeholders(dirname(spec.path)).includes("newId")) return;
    const directory = dirname(real);
    const parent = await stat(directory).catch(() => undefined);
    if (!parent?.isDirectory()) throw new Error(`the directory ${directory} does not exist`);
    await access(directory, constants.W_OK).catch(() => {
      throw new Error(`the directory ${directory} is not writable`);
    });
    return;
  }
  // The rename gives the path a new file: another hard link of the old one would keep the old secret.
  if (found.nlink > 1)
    throw new Error(
      `${real} has ${found.nlink} hard links; it is replaced by a rename, so the other ${found.nlink - 1 === 1 ? "name" : "names"} would keep the old secret: make the others symlinks to it, or deliver to each`,
    );
  // Read (to roll back to it), never written in place: a read-only file is replaced by the rename.
  await access(real, constants.R_OK).catch(() => {
    throw new Error(`${real} cannot be read by this user`);
  });
  await access(dirname(real), constants.W_OK).catch(() => {
    throw new Error(`the directory ${dirname(real)} is not writable (the file is replaced atomically)`);
  });
  // The replacement file must get the owner and group the service reads it with.
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0) {
    if (found.uid !== uid)
      throw new Error(
        `${real} belongs to user ${found.uid}; its replacement could not keep that owner: run the rotation as that user or as root`,
      );
    if (!process.getgroups?.().includes(found.gid))
      throw new Error(
        `${real} belongs to group ${found.gid}, which this user is not in; its replacement could not keep that group`,
      );
  }
  if (spec.kind === "dotenv") setDotenvKey(await readFile(real, "utf8"), spec.key, "checked");
  if (spec.kind === "properties") setPropertiesKey(await readFile(real, "latin1"), spec.key, "checked");
}

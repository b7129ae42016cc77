/**
 * `--to` values: `file:PATH`, `dotenv:PATH#KEY`, `properties:PATH#KEY`, `exec:COMMAND` and `stdout`, parsed when the
 * command line is read (bad ones are usage errors, nothing sent), and made into sinks per token
 * (placeholders filled in).
 */
import { resolve } from "node:path";
import { UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { DOTENV_KEY, dotenvSink } from "./dotenv.js";
import { execSink } from "./exec.js";
import { fileSink } from "./file.js";
import { PROPERTIES_KEY, propertiesSink } from "./properties.js";
import type { Sink, SinkTokenInfo } from "./sink.js";
import { stdoutSink } from "./stdout.js";
import { fillCommand, fillPath } from "./template.js";

export type SinkSpec =
  | { kind: "file"; path: string }
  | { kind: "dotenv"; path: string; key: string }
  | { kind: "properties"; path: string; key: string }
  | { kind: "exec"; command: string }
  | { kind: "stdout" };

export const SINK_FORMS = "file:PATH, dotenv:PATH#KEY, properties:PATH#KEY, exec:COMMAND or stdout";

/** Parses one `--to` value, or throws a UsageError saying what is accepted. */
export function parseSink(value: string): SinkSpec {
  const [, kind, rest = ""] = /^([a-z]+)(?::(.*))?$/s.exec(value) ?? [];
  const bad = (why: string) =>
    new UsageError(`--to ${JSON.stringify(value)}: ${why}`, [`hint: --to takes ${SINK_FORMS}`]);
  if (kind === "stdout" && !rest) return { kind: "stdout" };
  if (kind === "file") {
    if (!rest.trim()) throw bad("file: needs a path");
    return { kind: "file", path: rest };
  }
  if (kind === "dotenv") {
    const hash = rest.lastIndexOf("#");
    const path = rest.slice(0, Math.max(hash, 0));
    const key = rest.slice(hash + 1);
    if (hash < 0 || !path.trim()) throw bad("dotenv: needs a path and a key, as dotenv:.env#DT_API_TOKEN");
    if (!DOTENV_KEY.test(key))
      throw bad(`${JSON.stringify(key)} is not a dotenv key (letters, digits and _)`);
    return { kind: "dotenv", path, key };
  }
  if (kind === "properties") {
    const hash = rest.lastIndexOf("#");
    const path = rest.slice(0, Math.max(hash, 0));
    const key = rest.slice(hash + 1);
    if (hash < 0 || !path.trim())
      throw bad(
        "properties: needs a path and a key, as properties:/var/lib/dynatrace/gateway/config/authorization.properties#authToken",
      );
    if (!PROPERTIES_KEY.test(key))
      throw bad(
        `${JSON.stringify(key)} is not a properties key this sink writes (printable, without white space, #, !, =, : or \\)`,
      );
    return { kind: "properties", path, key };
  }
  if (kind === "exec") {
    if (!rest.trim()) throw bad("exec: needs a command");
    return { kind: "exec", command: rest };
  }
  throw bad("unknown sink");
}

/** The sink's label with placeholders filled in (for plans and reports). */
export function describeSink(spec: SinkSpec, info: SinkTokenInfo): string {
  return makeSink(spec, info, { env: {}, stdout: { write: () => true } } as unknown as Io).label;
}

/** A sink for one token: placeholders filled in, relative paths resolved against the working directory. */
export function makeSink(
  spec: SinkSpec,
  info: SinkTokenInfo,
  io: Io,
  options: { timeoutMs?: number } = {},
): Sink {
  switch (spec.kind) {
    case "file":
      return fileSink(resolve(fillPath(spec.path, info)));
    case "dotenv":
      return dotenvSink(resolve(fillPath(spec.path, info)), spec.key);
    case "properties":
      return propertiesSink(resolve(fillPath(spec.path, info)), spec.key);
    case "exec":
      return execSink(fillCommand(spec.command, info), io.env, options.timeoutMs);
    case "stdout":
      return stdoutSink(io.stdout);
  }
}

/** Request logging that never prints a secret: the calling token is named by its id only. */
import { TOKEN_ID_SOURCE } from "./secrets.js";

export interface RequestLogEntry {
  time: string;
  method: string;
  /** The path with any secret-like segment masked; the query string is never logged. */
  path: string;
  status: number;
  durationMs: number;
  /** The id of the calling token (an API token, a platform token or an OAuth client), when it authenticated. */
  tokenId?: string;
  /**
   * An injected fault or throttle, when one applied. `fault-after-commit`: the request was processed,
   * then its response was replaced by an error or its connection dropped.
   */
  event?: "throttled" | "fault-error" | "fault-drop" | "fault-after-commit";
}

/** `false`: quiet (default for the library); `true`: one JSON line per request on stderr; or your function. */
export type LogOption = boolean | ((entry: RequestLogEntry) => void);

const KEEP = new RegExp(
  `^(?:${TOKEN_ID_SOURCE}|api|v2|apiTokens|lookup|platform|classic|environment-api|e|sso|oauth2|token)$`,
);
const SECRET_SEGMENT = new RegExp(`^(${TOKEN_ID_SOURCE})\\.`);

/** Masks every path segment that is not a known word or a token id (a secret in DELETE's path, say). */
export function safePath(path: string): string {
  return path
    .split("/")
    .map((segment, i, all) => {
      if (segment === "" || KEEP.test(segment)) return segment;
      // the environment id of a Managed /e/{id}/api/v2 path
      if (all[i - 1] === "e" && /^[A-Za-z0-9-]{1,40}$/.test(segment)) return segment;
      const id = SECRET_SEGMENT.exec(segment);
      return id ? `${id[1]}.********` : "********";
    })
    .join("/");
}

export function createLogSink(option: LogOption | undefined): ((entry: RequestLogEntry) => void) | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return (entry) => process.stderr.write(`${JSON.stringify(entry)}\n`);
  return option;
}

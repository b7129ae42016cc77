/** A place a new secret is delivered to (`--to`). */
export interface Sink {
  /** What it is, safe to print (never the secret): `file:/etc/app/token`, `exec:gh secret set X`. */
  readonly label: string;
  /** Writes the secret; throws (or rejects) when it could not, or when `signal` aborts (Ctrl-C, SIGTERM). */
  deliver(secret: string, signal?: AbortSignal): Promise<void>;
  /** Puts back what deliver replaced (when it can); called when the rotation rolls back. */
  undo?(): Promise<void>;
}

/** What a sink's path or command may refer to: `{id}` (the token being rotated), `{newId}`, `{name}`. */
export interface SinkTokenInfo {
  id: string;
  newId?: string;
  name: string;
}

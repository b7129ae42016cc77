import { ApiTokensError } from "../errors.js";
import { redact } from "../redact.js";

/**
 * Where a rotation stopped: reading the old token, the caller's `prepare` check, or one of the
 * stages.
 */
export type RotationStage = "read" | "prepare" | "create" | "deliver" | "verify" | "commit";

/**
 * A rotation that did not complete. Before `create` nothing changed. After it, the new token was
 * deleted again (`rolledBack: true`) and the old token is as it was; when deleting failed too,
 * `rolledBack` is false and `newTokenId` names the token to revoke by hand. Its message, `cause`
 * and properties never hold the secret.
 */
export class RotationError extends ApiTokensError {
  // A field, not a prototype assignment: a top-level statement would keep this module in every bundle.
  override readonly name = "RotationError";
  /** The stage that failed. */
  declare readonly stage: RotationStage;
  /** The id of the token being replaced. */
  declare readonly tokenId: string;
  /** The id of the replacement, when it was created. */
  declare readonly newTokenId?: string;
  /** Whether the replacement was deleted again (also `true` when none was created). */
  declare readonly rolledBack: boolean;
  /** Why deleting the replacement failed, when it did. */
  declare readonly rollbackError?: Error;
  /** Why the caller's `undo` failed, when it did: a place may hold the deleted secret. */
  declare readonly undoError?: Error;

  constructor(
    details: {
      stage: RotationStage;
      tokenId: string;
      newTokenId?: string;
      rolledBack: boolean;
      cause: unknown;
      rollbackError?: unknown;
      undoError?: unknown;
    },
    secret?: string,
  ) {
    const cause = safeError(details.cause, secret);
    const rollbackError =
      details.rollbackError === undefined ? undefined : safeError(details.rollbackError, secret);
    const undoError = details.undoError === undefined ? undefined : safeError(details.undoError, secret);
    const { stage, tokenId, newTokenId, rolledBack } = details;
    const outcome = !newTokenId
      ? stage === "create" && (cause as ApiTokensError).outcomeUnknown
        ? "the replacement may exist all the same (its name ends in [dt-tokens:rotating:…]): the clean-up removes it"
        : "nothing was changed"
      : rolledBack
        ? `the new token ${newTokenId} was deleted again and ${tokenId} is unchanged`
        : `deleting the new token failed too (${rollbackError?.message}): revoke ${newTokenId} yourself; ${tokenId} is unchanged`;
    const undone = undoError ? `; undoing the delivery failed (${undoError.message})` : "";
    super(`rotating ${tokenId} failed at ${stage}: ${cause.message}; ${outcome}${undone}`);
    Object.assign(this, { stage, tokenId, newTokenId, rolledBack, rollbackError, undoError, cause });
  }
}

/** An error that is safe to keep: the client's own (already redacted), or a copy with the secret removed. */
export function safeError(error: unknown, secret?: string): Error {
  if (error instanceof ApiTokensError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const copy = new Error(redact(secret ? text.split(secret).join("[REDACTED]") : text));
  if (error instanceof Error) copy.name = error.name;
  return copy;
}

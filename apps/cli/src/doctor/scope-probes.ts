/**
 * What a credential may do, found without changing anything. A classic token looks itself up
 * (the answer lists its scopes). A platform credential cannot: its read scope is probed with a
 * one-page list, its write scope with an update of a well-formed token id that no environment
 * holds — the scope check comes before the lookup of the id, so 404 means the write scope is
 * there and 403 that it is missing. The probe reads that id first and never writes to a token
 * that exists.
 */
import {
  type ApiTokensClient,
  BadRequestError,
  NotFoundError,
  PermissionDeniedError,
} from "@dt-tokens/client";

/** A well-formed token id (dt0c01.<24 base32 characters>) that no environment holds. */
export const PROBE_TOKEN_ID = "dt0c01.DTTOKENSDOCTORPROBE22222";

/** present: the scope is there; missing: 403; unknown: could not tell (the reason says why). */
export type ScopeState = { state: "present" | "missing" } | { state: "unknown"; reason: string };

export interface ScopeFindings {
  read: ScopeState;
  write: ScopeState;
  /** A classic token's lookup: its id, its scopes and its expiry. */
  self?: { id?: string; scopes: string[]; expirationDate?: string };
}

const CLASSIC_READ = "apiTokens.read";
const CLASSIC_WRITE = "apiTokens.write";

/** A 403 means missing; anything else but success is thrown (the caller classifies it). */
async function allowed(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (error instanceof PermissionDeniedError) return false;
    throw error;
  }
}

/** The write probe: an update of PROBE_TOKEN_ID, after a read has shown that it does not exist. */
async function probeWrite(client: ApiTokensClient, canRead: boolean): Promise<ScopeState> {
  if (canRead) {
    try {
      await client.get(PROBE_TOKEN_ID);
      return {
        state: "unknown",
        reason: `a token with the probe's id ${PROBE_TOKEN_ID} exists; not touched`,
      };
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  try {
    // An empty update: even a token of that id would not change.
    await client.update(PROBE_TOKEN_ID, {});
    return { state: "unknown", reason: "the probe's update succeeded, which it should not" };
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof BadRequestError) return { state: "present" };
    if (error instanceof PermissionDeniedError) return { state: "missing" };
    throw error;
  }
}

/** A classic token: lookup of itself (which needs apiTokens.read); without read, the write probe. */
export async function classicScopes(client: ApiTokensClient, secret: string): Promise<ScopeFindings> {
  try {
    const self = await client.lookup(secret);
    const scopes = (self.scopes ?? []) as string[];
    return {
      read: { state: scopes.includes(CLASSIC_READ) ? "present" : "missing" },
      write: { state: scopes.includes(CLASSIC_WRITE) ? "present" : "missing" },
      self: {
        ...(self.id !== undefined && { id: self.id }),
        scopes,
        ...(self.expirationDate !== undefined && { expirationDate: self.expirationDate }),
      },
    };
  } catch (error) {
    if (!(error instanceof PermissionDeniedError)) throw error;
    return { read: { state: "missing" }, write: await probeWrite(client, false) };
  }
}

/** A platform token or OAuth client: a one-page list, then the write probe. */
export async function platformScopes(client: ApiTokensClient): Promise<ScopeFindings> {
  const canRead = await allowed(() => client.list({ pageSize: 100 }));
  return { read: { state: canRead ? "present" : "missing" }, write: await probeWrite(client, canRead) };
}

/**
 * Credentials of a kind: what an environment authenticates with, whether it came from the
 * environment variables, stdin or a reference in the config file. The connection turns one into
 * the client's options (`clientAuth`), so a new kind is one new case here.
 */
import type { ClientOptions } from "@dt-tokens/client";
import {
  CredentialSourceError,
  describeReference,
  parseReference,
  type ResolveContext,
  resolveReference,
} from "./config/reference.js";
import type { EnvironmentEntry } from "./config/schema.js";
import { UsageError } from "./errors.js";

export type Credential =
  /** A classic API token (dt0c01.…), sent as `Api-Token`. */
  | { kind: "api-token"; secret: string; source: string }
  /** A platform token (dt0s16.…), sent as `Bearer`. */
  | { kind: "platform-token"; secret: string; source: string }
  /** An OAuth client that obtains access tokens from Dynatrace SSO. */
  | {
      kind: "oauth-client";
      clientId: string;
      clientSecret: string;
      accountUrn: string;
      source: string;
      /** The SSO token endpoint, when not Dynatrace SSO (e.g. the sandbox's). */
      tokenUrl?: string;
    };

export type CredentialKind = Credential["kind"];

/** A config entry's credential as written: its kind and its reference(s), for `env list`. */
export function describeEntryCredential(entry: EnvironmentEntry): { kind: CredentialKind; source: string } {
  if (entry.apiToken !== undefined) return { kind: "api-token", source: entry.apiToken };
  if (entry.platformToken !== undefined) return { kind: "platform-token", source: entry.platformToken };
  const oauth = entry.oauthClient!;
  const sso = oauth.tokenUrl !== undefined ? `, token URL ${oauth.tokenUrl}` : "";
  return { kind: "oauth-client", source: `${oauth.clientId}, secret ${oauth.clientSecret}${sso}` };
}

/** What a classic API token looks like, for errors. */
const API_TOKEN_FORM = { form: "dt0c01.<24 characters>.<64 characters>", scheme: "Api-Token" };

/**
 * Checks that a resolved secret is a bare secret: printable, no spaces, no scheme prefix such as
 * "Api-Token ". `expected` describes the secret's form for the error (default a classic token).
 */
export function checkSecret(
  value: string,
  source: string,
  expected: { form: string; scheme: string } = API_TOKEN_FORM,
): string {
  if (!/^[!-~]+$/.test(value)) {
    throw new UsageError(
      `${source} does not hold a token secret: expected the bare secret (${expected.form}), without "${expected.scheme} " or spaces`,
    );
  }
  return value;
}

/** Resolves the credential of a config entry (env:, file:, exec: references). */
export async function resolveEntryCredential(
  name: string,
  entry: EnvironmentEntry,
  ctx: ResolveContext,
): Promise<Credential> {
  const secret = async (text: string, field: string) => {
    const ref = parseReference(text);
    // The schema refuses anything else; this keeps a hand-built entry from sending a literal.
    if (!ref) throw new UsageError(`environment ${name}: ${field} is not a reference`);
    const where = `environment ${name}: ${field}`;
    try {
      return checkSecret(await resolveReference(ref, ctx), `${where} ${describeReference(ref)}`);
    } catch (error) {
      if (error instanceof CredentialSourceError)
        throw new CredentialSourceError(`${where}: ${error.message}`);
      throw error;
    }
  };
  if (entry.apiToken !== undefined)
    return { kind: "api-token", secret: await secret(entry.apiToken, "apiToken"), source: entry.apiToken };
  if (entry.platformToken !== undefined)
    return {
      kind: "platform-token",
      secret: await secret(entry.platformToken, "platformToken"),
      source: entry.platformToken,
    };
  const oauth = entry.oauthClient!;
  return {
    kind: "oauth-client",
    clientId: oauth.clientId,
    clientSecret: await secret(oauth.clientSecret, "oauthClient.clientSecret"),
    accountUrn: oauth.accountUrn,
    source: oauth.clientSecret,
    ...(oauth.tokenUrl !== undefined && { tokenUrl: oauth.tokenUrl }),
  };
}

/** The client options that carry a credential (the client picks Api-Token or Bearer by prefix). */
export function clientAuth(credential: Credential): Pick<ClientOptions, "token" | "oauth"> {
  if (credential.kind === "oauth-client") {
    const { clientId, clientSecret, accountUrn, tokenUrl } = credential;
    return { oauth: { clientId, clientSecret, accountUrn, ...(tokenUrl !== undefined && { tokenUrl }) } };
  }
  return { token: credential.secret };
}

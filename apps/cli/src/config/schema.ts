/**
 * The shape of the config file, as a valibot schema: environments by name, each with its URL and
 * where its credential comes from (a reference, never the secret itself).
 *
 * ```yaml
 * current: prod
 * environments:
 *   prod:
 *     url: https://abc12345.live.dynatrace.com
 *     apiToken: env:DT_PROD_TOKEN
 *   staging:
 *     url: https://dynatrace.example.com/e/1f2e3d4c
 *     apiToken: file:~/.config/dt-tokens/staging.token
 *   platform:
 *     url: https://abc12345.apps.dynatrace.com
 *     platformToken: exec:op read op://ops/dynatrace/platform-token
 *     timeout: 2m            # optional: how long each attempt waits for an answer (--timeout wins)
 *   automation:
 *     url: https://abc12345.apps.dynatrace.com
 *     oauthClient:
 *       clientId: dt0s02.ABCD1234
 *       clientSecret: env:DT_CLIENT_SECRET
 *       accountUrn: urn:dtaccount:0a1b2c3d-0000-4000-8000-000000000000
 *       tokenUrl: https://sso.dynatrace.com/sso/oauth2/token   # optional; this is the default
 * ```
 */
import { checkUrl } from "@dt-tokens/client";
import {
  ACCOUNT_URN_FORM,
  DURATION_FORMS,
  isAccountUrn,
  parseDurationMs,
  parseSecretId,
  SECRET_FORMATS,
} from "@dt-tokens/types";
import * as v from "valibot";
import { MAX_TIMER_MS } from "../duration.js";
import { isReference, REFERENCE_HELP } from "./reference.js";

/** Names usable with --env (comma-separated lists, so no commas or spaces). */
export const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const NAME_HELP = "letters, digits, '.', '_' and '-', starting with a letter or digit (at most 63)";

/** The fields that say where an environment's credential comes from; exactly one per environment. */
export const CREDENTIAL_FIELDS = ["apiToken", "platformToken", "oauthClient"] as const;

/** How every refusal of a secret written in the file starts. */
export const SECRET_NEVER = "a secret is never written in the config file";

const reference = v.pipe(
  v.string(`expected a reference to a secret (${REFERENCE_HELP})`),
  v.check(isReference, `${SECRET_NEVER}; reference it instead: ${REFERENCE_HELP}`),
);

/** An environment URL the client takes (its checkUrl: the same rule as DT_ENV_URL and doctor). */
const isUrl = (s: string) => checkUrl("environmentUrl", s).ok;

/** A YAML mapping (valibot's object and record schemas would take a list too). */
const mapping = (message: string) =>
  v.custom<Record<string, unknown>>((x) => typeof x === "object" && x !== null && !Array.isArray(x), message);

/** The message of a strict object: an unknown field, or not a mapping at all. */
const unknownField = (allowed: readonly string[]) => (issue: v.BaseIssue<unknown>) =>
  issue.expected === "never"
    ? `unknown field "${String(issue.path?.at(-1)?.key)}"; expected ${allowed.join(", ")}`
    : `expected a mapping with ${allowed.join(", ")}`;

const TOKEN_URL_HELP =
  "expected the SSO token endpoint: an https:// URL (http:// only to this machine), e.g. https://sso.dynatrace.com/sso/oauth2/token";

const ENVIRONMENT_FIELDS = ["url", "description", "timeout", ...CREDENTIAL_FIELDS] as const;

const TIMEOUT_HELP = `expected how long each attempt waits for an answer, a duration: ${DURATION_FORMS}`;

/** An environment's timeout: a duration of the CLI's one grammar (as --timeout), above zero, one a timer can wait. */
const isTimeout = (s: string) => {
  const ms = parseDurationMs(s);
  return ms !== undefined && ms > 0 && ms <= MAX_TIMER_MS;
};
const OAUTH_FIELDS = ["clientId", "clientSecret", "accountUrn", "tokenUrl"] as const;

/**
 * The client secret is posted there: the URL the client takes for `oauth.tokenUrl` (its checkUrl,
 * the one rule: https, or http only to this machine such as the sandbox; no user info, query or
 * backslash).
 */
const isTokenUrl = (s: string) => checkUrl("oauth.tokenUrl", s).ok;

const OAUTH_FORMAT = SECRET_FORMATS.find((f) => f.kind === "oauth-client-secret")!;
/** How an OAuth client id is written: the id of its secret (the formats of @dt-tokens/types). */
const CLIENT_ID_FORM = `${OAUTH_FORMAT.prefix}.<${OAUTH_FORMAT.publicLength} characters>`;
/** An OAuth client id: the id (`dt0s02.<public part>`) of an OAuth client secret. */
const isClientId = (s: string) => parseSecretId(s)?.kind === "oauth-client-secret";

const oauthClient = v.strictObject(
  {
    clientId: v.pipe(
      v.string(`expected the OAuth client id (${CLIENT_ID_FORM}; it is not a secret)`),
      v.check(isClientId, `expected the OAuth client id: ${CLIENT_ID_FORM}`),
    ),
    clientSecret: reference,
    accountUrn: v.pipe(
      v.string(`expected the account URN: ${ACCOUNT_URN_FORM}`),
      v.check((s: string) => isAccountUrn(s), `expected the account URN: ${ACCOUNT_URN_FORM}`),
    ),
    tokenUrl: v.optional(
      v.pipe(
        v.string(TOKEN_URL_HELP),
        v.check(
          isTokenUrl,
          `${TOKEN_URL_HELP}; the client secret is sent there, so never plain http to another host`,
        ),
      ),
    ),
  },
  unknownField(OAUTH_FIELDS),
);

const environment = v.pipe(
  v.strictObject(
    {
      url: v.pipe(
        v.string("expected the environment URL"),
        v.check(
          isUrl,
          "expected an environment URL: https://<env-id>.live.dynatrace.com, https://<host>/e/<env-id>, or an API base ending in /api/v2 or /platform/classic/environment-api/v2 (http:// only to this machine)",
        ),
      ),
      description: v.optional(v.string("expected a line of text")),
      timeout: v.optional(v.pipe(v.string(TIMEOUT_HELP), v.check(isTimeout, TIMEOUT_HELP))),
      apiToken: v.optional(reference),
      platformToken: v.optional(reference),
      oauthClient: v.optional(oauthClient),
    },
    unknownField(ENVIRONMENT_FIELDS),
  ),
  v.check(
    (e) => CREDENTIAL_FIELDS.filter((f) => e[f] !== undefined).length === 1,
    `expected exactly one credential: ${CREDENTIAL_FIELDS.join(", ")}`,
  ),
);

export const configSchema = v.pipe(
  mapping("expected a mapping with current and environments"),
  v.strictObject(
    {
      current: v.optional(
        v.string(
          'expected the name of an environment (quote a name YAML would read as a number or a boolean: "123")',
        ),
      ),
      // `environments:` with nothing under it is an empty fleet, as a new file has.
      environments: v.nullish(
        v.pipe(
          mapping("expected environments by name (name: { url, apiToken }), not a list"),
          v.record(
            v.pipe(v.string(), v.regex(ENVIRONMENT_NAME, `environment names are ${NAME_HELP}`)),
            environment,
          ),
        ),
        {},
      ),
    },
    unknownField(["current", "environments"]),
  ),
  v.forward(
    v.check(
      (c) => c.current === undefined || Object.hasOwn(c.environments, c.current),
      "names no environment of this file",
    ),
    ["current"],
  ),
);

export type Config = v.InferOutput<typeof configSchema>;
export type EnvironmentEntry = Config["environments"][string];

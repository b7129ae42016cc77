/**
 * Exit statuses and the usage errors that map to them: the leaf every module may import (it imports
 * nothing). What the CLI prints for an error is decided in describe-error.ts.
 */
/**
 * Every exit status the CLI can end with, and what it means: the one table printed by
 * `dt-tokens --help` and in the README (a test checks that they agree).
 */
export const EXIT_STATUSES = [
  { code: 0, key: "ok", meaning: "success" },
  {
    code: 1,
    key: "api",
    meaning: "API error: Dynatrace answered with an error, or could not be reached; nothing was changed",
  },
  {
    code: 2,
    key: "usage",
    meaning: "usage error: a bad command line, flag, value or input; nothing was sent",
  },
  {
    code: 3,
    key: "findings",
    meaning: "audit --fail-on: findings at or above that severity; scan: secrets found",
  },
  {
    code: 4,
    key: "partial",
    meaning:
      "partial: rotate delivered and verified a new token but could not retire the old one; or list/audit over several environments could not read them all; or leak could not ask some environments (a leaked secret may be there, not contained); or scan could not read a path",
  },
  {
    code: 5,
    key: "cancelled",
    meaning: "the confirmation prompt was declined or cancelled; nothing was changed",
  },
  {
    code: 6,
    key: "outcomeUnknown",
    meaning:
      "a change was sent but its answer was lost: it may or may not have been applied (check before retrying)",
  },
  {
    code: 7,
    key: "output",
    meaning:
      "the output could not be written (disk full, closed file); after create, the new token was deleted or its id printed to revoke; leak --replace: the secret was contained but its replacement could not be delivered",
  },
  {
    code: 8,
    key: "unreachable",
    meaning:
      "doctor: the environment (or the SSO token endpoint) could not be reached: DNS, connection, TLS, timeout, or no API at that URL",
  },
  {
    code: 9,
    key: "refused",
    meaning: "doctor: the credential was refused (401, or SSO refused the OAuth client)",
  },
  {
    code: 10,
    key: "missingScope",
    meaning: "doctor: the credential lacks the read scope, or the write scope (unless --read-only)",
  },
  {
    code: 11,
    key: "notContained",
    meaning:
      "leak: a leaked secret was located (or must be revoked by hand) but not contained: --report-only, the change failed, an ActiveGate token not deleted (without --delete-activegate-tokens), or a platform token or OAuth client",
  },
  {
    code: 12,
    key: "notFound",
    meaning: "leak: a leaked secret was found in none of the environments asked (all of them answered)",
  },
  {
    code: 13,
    key: "notVerified",
    meaning:
      "ag-tokens rotate: the ActiveGates did not report the new token VALID within --verify-timeout; rolled back (the sinks hold what they held, the new token is deleted)",
  },
  { code: 129, key: "hangup", meaning: "hung up (SIGHUP: the terminal was closed); as for 130" },
  {
    code: 130,
    key: "interrupted",
    meaning: "interrupted (Ctrl-C, SIGINT); a new token whose secret was not shown is deleted",
  },
  {
    code: 143,
    key: "terminated",
    meaning:
      "terminated (SIGTERM); as for 130. rotate: the rotation in flight was rolled back, or completes with `dt-tokens cleanup`",
  },
] as const;

type ExitKey = (typeof EXIT_STATUSES)[number]["key"];

/** The exit statuses by name: `EXIT.usage` is 2. */
export const EXIT = Object.fromEntries(EXIT_STATUSES.map((s) => [s.key, s.code])) as {
  [K in ExitKey]: Extract<(typeof EXIT_STATUSES)[number], { key: K }>["code"];
};

/** Bad input found before anything was sent (exit 2). `hint` lines follow the message. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(
    message: string,
    readonly hints: string[] = [],
  ) {
    super(message);
  }
}

/** An error that ends the command with a given exit status and message. */
export class ExitError extends Error {
  override name = "ExitError";
  constructor(
    message: string,
    readonly exitCode: number,
    readonly hints: string[] = [],
  ) {
    super(message);
  }
}

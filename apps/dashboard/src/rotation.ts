/**
 * The dashboard's rotation of one token, without any view: `rotateToken` of @dt-tokens/client with
 * the person as the delivery (the secret is shown until they confirm it is stored), the choices of
 * the rotate dialog, and the page's own token, which cannot disable or delete itself. Tested in Node
 * against the sandbox (test/rotation.test.ts); the dialog only shows what this reports.
 */
import {
  type ApiToken,
  type ApiTokensClient,
  type FullApiToken,
  rotateToken,
  sameLifetime,
} from "@dt-tokens/client";
import { DAY } from "./stats.js";

export type RevokeChoice = "disable" | "delete" | "keep";
/** Hours the old token keeps working before it is retired (0: as soon as the new one is verified). */
export type OverlapHours = 0 | 1 | 24 | 168;

export interface RotateChoice {
  revoke: RevokeChoice;
  /** Days the new token lives; `"same"` keeps the old token's lifetime (creation to expiry). */
  lifetime: "same" | 30 | 90 | 365;
  overlapHours: OverlapHours;
}

const HOUR = 3_600_000;

/** The new token, as the person is told about it while its secret is shown. */
export interface NewToken {
  id: string;
  name: string;
  /** Absent when it never expires. */
  expirationDate?: string;
}

export interface RotationHooks {
  /**
   * Shows the secret to the person. Resolve once they stored it (the rotation goes on: verify, then
   * retire the old token); reject when they discard it (the new token is deleted again).
   */
  deliver(secret: string, token: NewToken): Promise<void>;
  /**
   * The page's own token was rotated: every later request must use the new secret. Called after the
   * new token is verified and before the old one is retired.
   */
  switchTo?(secret: string, self: FullApiToken): void;
}

export interface RotationOutcome {
  /** The new token as it is listed now (a stand-in built from the old one if reading it failed). */
  created: ApiToken;
  /** The old token as it is now; undefined when it was deleted. */
  previous: ApiToken | undefined;
  /** When the old token may be retired, with an overlap. */
  retireAt?: Date;
  /** Why the old token could not be retired as asked: the new token works, the old one too. */
  retireError?: Error;
}

/** The old token's lifetime in days (creation to expiry), or undefined when it never expires. */
export function lifetimeDays(token: ApiToken): number | undefined {
  if (!token.expirationDate || !token.creationDate) return undefined;
  return Math.max(1, Math.round((Date.parse(token.expirationDate) - Date.parse(token.creationDate)) / DAY));
}

/**
 * Rotates `token`: creates the replacement, hands its secret to `hooks.deliver`, verifies it with a
 * lookup authenticated by it, then retires the old token as chosen. Throws (a RotationError from the
 * client) when anything fails before the new token is verified; the new token is deleted again then.
 * A failure to retire the old token does not throw: it is in `retireError`.
 *
 * `isSelf`: the token is the one the client is signed in with. It cannot disable or delete itself,
 * so it is kept during the rotation, the client switches to the new secret (`hooks.switchTo`), and
 * only then is the old token retired (unless an overlap keeps it, or `keep` was chosen).
 */
export async function rotate(
  client: ApiTokensClient,
  token: ApiToken,
  choice: RotateChoice,
  isSelf: boolean,
  hooks: RotationHooks,
): Promise<RotationOutcome> {
  const id = token.id!;
  const { revoke, lifetime } = choice;
  const overlap = revoke !== "keep" && choice.overlapHours > 0;
  const retireLater = isSelf && !overlap && revoke !== "keep";
  const result = await rotateToken(client, id, {
    expirationDate: lifetime === "same" ? sameLifetime : new Date(Date.now() + lifetime * DAY),
    retire: retireLater
      ? { action: "keep" }
      : { action: revoke, ...(overlap && { after: choice.overlapHours * HOUR }) },
    deliver: (secret, target) =>
      hooks.deliver(secret, {
        id: target.id,
        name: target.name,
        ...(target.expirationDate && { expirationDate: target.expirationDate }),
      }),
  });
  const { created, retirement } = result;
  let retireError = retirement.error;
  if (isSelf) {
    hooks.switchTo?.(created.token, await client.lookup(created.token));
    if (retireLater) {
      try {
        if (revoke === "delete") await client.delete(id);
        else await client.update(id, { enabled: false });
      } catch (error) {
        retireError = error instanceof Error ? error : new Error(String(error));
      }
    }
  }
  const fresh: ApiToken = await client.get(created.id).catch(() => ({
    ...token,
    id: created.id,
    expirationDate: created.expirationDate,
    creationDate: new Date().toISOString(),
    lastUsedDate: undefined,
    enabled: true,
  }));
  const previous = await client.get(id).catch(() => undefined);
  return {
    created: fresh,
    previous,
    ...(retirement.at && { retireAt: retirement.at }),
    ...(retireError && { retireError }),
  };
}

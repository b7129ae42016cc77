/** The rotation journal on its own: what a recovery is told about a damaged or exposed journal. */
import { chmod, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Journal } from "../src/rotation/journal.js";

const SECRET = `dt0c01.${"A".repeat(24)}.QWERTYUIOPASDFGHJKLZXCVBNM234567QWERTYUIOPASDFGHJKLZXCVBNM234567`;
const secretPart = SECRET.split(".")[2]!;

async function journalWithSecret() {
  const env = { XDG_STATE_HOME: await mkdtemp(join(tmpdir(), "dt-journal-")) };
  const journal = await Journal.begin(env, "api-token", "api-token x dt0c01.OLD", { secret: SECRET });
  return { env, journal, text: await readFile(journal.path, "utf8") };
}

describe("Journal.list", () => {
  // Was a bug: JSON.parse's message quotes the text near the fault ('..."secret":dt0c01.AAA"... is
  // not valid JSON'), and cleanup printed it: a corrupt journal showed part of its secret.
  it("says what is wrong with a corrupt, truncated or empty journal without quoting it, and keeps it", async () => {
    const { env, journal, text } = await journalWithSecret();
    const damaged = [
      text.replace(`"secret":"`, `"secret":`), // a lost quote right before the secret
      text.replace(`"${SECRET}"`, `"${SECRET.slice(0, 40)}\u0001${SECRET.slice(40)}"`),
      text.replace(`"${SECRET}"`, SECRET.slice(20)),
      text.slice(0, text.indexOf(secretPart) + 30), // truncated inside the secret
      SECRET, // not JSON at all
      "",
      "null",
    ];
    for (const content of damaged) {
      await writeFile(journal.path, content, { mode: 0o600 });
      const { journals, unreadable } = await Journal.list(env, "api-token");
      expect(journals).toEqual([]);
      expect(unreadable).toHaveLength(1);
      expect(unreadable[0]!.error).toMatch(/truncated or corrupt|empty/);
      for (let i = 0; i + 4 <= secretPart.length; i++)
        expect(unreadable[0]!.error).not.toContain(secretPart.slice(i, i + 4));
      expect(await readFile(journal.path, "utf8")).toBe(content); // kept as it was
    }
  });

  // Was a bug: a journal other users could read was recovered without a word about it.
  it("reports a journal other users could read and makes it 0600", async () => {
    const { env, journal } = await journalWithSecret();
    await chmod(journal.path, 0o644);
    const { journals, exposed } = await Journal.list(env, "api-token");
    expect(journals).toHaveLength(1);
    expect(exposed).toEqual([{ path: journal.path, mode: 0o644 }]);
    expect((await stat(journal.path)).mode & 0o777).toBe(0o600);
    expect((await Journal.list(env, "api-token")).exposed).toEqual([]);
  });
});

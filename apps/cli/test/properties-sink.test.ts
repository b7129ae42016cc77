/**
 * The `properties:PATH#KEY` sink: one key of a Java properties file set, every other byte kept
 * (comments, line endings, escapes, bytes that are not UTF-8, owner, group, mode). Where a JDK is
 * installed, java.util.Properties itself reads the result: the key holds the secret and every
 * other key what it held before.
 */
import { execFileSync } from "node:child_process";
import { chmod, chown, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { restore } from "../src/sinks/before.js";
import { checkSink } from "../src/sinks/check.js";
import { parseSink } from "../src/sinks/parse.js";
import { findSinkConflict } from "../src/sinks/place.js";
import { propertiesSink, readPropertiesKey, setPropertiesKey } from "../src/sinks/properties.js";

const SECRET = `dt0g02.ABCDEFGH.${"C".repeat(64)}`;
const tempDir = () => mkdtemp(join(tmpdir(), "dt-props-"));

/** A JDK on this machine (java runs a single source file since 11), or undefined. */
const java = (() => {
  try {
    execFileSync("java", ["-version"], { stdio: "ignore" });
    return "java";
  } catch {
    return undefined;
  }
})();

/**
 * What java.util.Properties reads from each file (one JVM for them all): every key and value.
 * `stream`: load(InputStream), the bytes as latin1; `utf8`: load(Reader) through a UTF-8
 * InputStreamReader.
 */
async function javaLoadsAll(paths: string[], how: "stream" | "utf8"): Promise<Record<string, string>[]> {
  const dir = await tempDir();
  const source = join(dir, "Load.java");
  await writeFile(
    source,
    `import java.io.*; import java.nio.charset.StandardCharsets; import java.util.*;
public class Load { public static void main(String[] a) throws Exception {
  StringBuilder out = new StringBuilder("[");
  for (int i = 1; i < a.length; i++) {
    Properties p = new Properties();
    if (a[0].equals("utf8")) try (Reader in = new InputStreamReader(new FileInputStream(a[i]), StandardCharsets.UTF_8)) { p.load(in); }
    else try (InputStream in = new FileInputStream(a[i])) { p.load(in); }
    out.append(i > 1 ? ",{" : "{");
    boolean first = true;
    for (String k : new TreeSet<>(p.stringPropertyNames())) {
      if (!first) out.append(',');
      first = false;
      out.append(q(k)).append(':').append(q(p.getProperty(k)));
    }
    out.append('}');
  }
  System.out.print(out.append(']'));
}
static String q(String s) { StringBuilder b = new StringBuilder("\\""); for (char c : s.toCharArray())
  b.append(String.format("\\\\u%04x", (int) c)); return b.append('"').toString(); } }`,
  );
  return JSON.parse(execFileSync(java!, [source, how, ...paths], { encoding: "utf8" })) as Record<
    string,
    string
  >[];
}

/** What java.util.Properties.load(InputStream) reads from a file: every key and value. */
const javaLoads = async (path: string) => (await javaLoadsAll([path], "stream"))[0]!;

/** A file of every form java.util.Properties reads, the key to set among them. */
const TRICKY = [
  "# authorization.properties (written by the installer) \u00e9", // é as one latin1 byte
  "! another comment form; authToken=not-this-one",
  "server = https\\://example.com\\:443/communication",
  "tenant:abc12345",
  "key\\ with\\ spaces value with spaces",
  "multi = first \\",
  "        second \\",
  "        third",
  "unicode=caf\\u00e9 \\u2603",
  "authToken = dt0g02.OLDOLDOL.old",
  "  trailing=kept   ",
  "# a comment ending in a backslash does not continue \\",
  "empty=",
  "",
].join("\r\n");

describe("setPropertiesKey", () => {
  it("replaces only the value, keeping comments, CRLF, escapes, continuations and other keys byte for byte", () => {
    const after = setPropertiesKey(TRICKY, "authToken", SECRET);
    expect(after).toBe(TRICKY.replace("authToken = dt0g02.OLDOLDOL.old", `authToken = ${SECRET}`));
    expect(readPropertiesKey(after, "authToken")).toBe(SECRET);
    expect(readPropertiesKey(after, "server")).toBe("https://example.com:443/communication");
    expect(readPropertiesKey(after, "multi")).toBe("first second third");
    expect(readPropertiesKey(after, "key with spaces")).toBe("value with spaces");
    expect(readPropertiesKey(after, "unicode")).toBe("caf\u00e9 \u2603");
  });

  it("reads key=value, key:value and key value, escaped keys, and replaces every definition", () => {
    for (const [before, after] of [
      ["authToken=old\n", `authToken=${SECRET}\n`],
      ["authToken:old\n", `authToken:${SECRET}\n`],
      ["authToken old\n", `authToken ${SECRET}\n`],
      ["  authToken\t=\told  \n", `  authToken\t=\t${SECRET}\n`],
      ["auth\\u0054oken=old\n", `auth\\u0054oken=${SECRET}\n`],
      ["authToken\n", `authToken=${SECRET}\n`],
      ["authToken=a\\\n  b\\\n  c\nx=1\n", `authToken=${SECRET}\nx=1\n`],
      ["authToken=1\nauthToken=2\n", `authToken=${SECRET}\nauthToken=${SECRET}\n`],
      ["authTokenX=keep\nX.authToken=keep\n", `authTokenX=keep\nX.authToken=keep\nauthToken=${SECRET}\n`],
    ])
      expect(setPropertiesKey(before!, "authToken", SECRET)).toBe(after);
  });

  it("appends a missing key on a line of its own, with the file's line ending, closing a last line left open", () => {
    expect(setPropertiesKey("", "authToken", "N")).toBe("authToken=N\n");
    expect(setPropertiesKey("a=1", "authToken", "N")).toBe("a=1\nauthToken=N\n");
    expect(setPropertiesKey("a=1\r\nb=2\r\n", "authToken", "N")).toBe("a=1\r\nb=2\r\nauthToken=N\r\n");
    expect(setPropertiesKey("# authToken=old\n", "authToken", "N")).toBe("# authToken=old\nauthToken=N\n");
    // A continuation at the end would make the new line part of a's value.
    expect(setPropertiesKey("a=1\\\n", "authToken", "N")).toBe("a=1\\\n\nauthToken=N\n");
    expect(setPropertiesKey("a=1\\", "authToken", "N")).toBe("a=1\\\n\nauthToken=N\n");
    expect(setPropertiesKey("a=1\\\\", "authToken", "N")).toBe("a=1\\\\\nauthToken=N\n");
    expect(setPropertiesKey("# note \\", "authToken", "N")).toBe("# note \\\nauthToken=N\n");
  });

  it("escapes a value as Properties.store does, so it reads back the same", () => {
    const odd = " lead=a:b#c!d\\e\tf\u00e9\u2603\ud83d\ude00";
    const text = setPropertiesKey("k=old\n", "k", odd);
    expect(text).toBe("k=\\ lead\\=a\\:b\\#c\\!d\\\\e\\tf\\u00E9\\u2603\\uD83D\\uDE00\n");
    expect(readPropertiesKey(text, "k")).toBe(odd);
  });

  it("refuses a file java.util.Properties refuses (a malformed \\u escape)", () => {
    expect(() => setPropertiesKey("bad\\u00zz=1\n", "authToken", "N")).toThrow(/malformed \\uXXXX/);
  });
});

describe.skipIf(!java)("java.util.Properties reads what the sink wrote", () => {
  it("the key holds the secret and every other key what it held", { timeout: 180_000 }, async () => {
    const dir = await tempDir();
    const path = join(dir, "authorization.properties");
    const odd = `${SECRET} =:#!\\ \u00e9`;
    await writeFile(path, TRICKY, "latin1");
    const before = await javaLoads(path);
    await propertiesSink(path, "authToken").deliver(odd);
    const after = await javaLoads(path);
    expect(after).toEqual({ ...before, authToken: odd });
    await propertiesSink(path, "newKey").deliver(SECRET);
    expect(await javaLoads(path)).toEqual({ ...before, authToken: odd, newKey: SECRET });
  });
});

/** The bytes EF BB BF (a UTF-8 byte order mark, as some Windows editors save a file) and then `text`. */
const withBom = (text: string) =>
  Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "latin1")]);

/** Files whose byte order mark stands right before authToken: Java does not see authToken on line 1. */
const BOM_HIDES_KEY = [
  "authToken=dt0g02.OLDOLDOL.old\ntenantToken=kept\n",
  "authToken = dt0g02.OLDOLDOL.old\r\ntenantToken=kept\r\n",
  "authToken:dt0g02.OLDOLDOL.old",
  "authToken dt0g02.OLDOLDOL.old\n",
  "  authToken=dt0g02.OLDOLDOL.old\n", // the mark alone is the key, the rest its value
  "authToken=dt0g02.OLDOLDOL.old\nauthToken=dt0g02.OLDOLDOL.later\n", // the later one is seen, the first is not
];
/** Files with a byte order mark elsewhere than before authToken: Java and the sink agree on authToken. */
const BOM_ELSEWHERE = [
  "# written by an editor\nauthToken=dt0g02.OLDOLDOL.old\n",
  "\nauthToken=dt0g02.OLDOLDOL.old\n",
  "server=https\\://example.com\nauthToken=dt0g02.OLDOLDOL.old\n",
  "server=https\\://example.com\n", // no authToken: appended, as for any file
];

describe("a UTF-8 byte order mark at the start of the file", () => {
  it("right before the key: refused (check and delivery), saying what is wrong and what to do; the file is kept byte for byte", async () => {
    const dir = await tempDir();
    for (const [i, text] of BOM_HIDES_KEY.entries()) {
      const content = withBom(text);
      expect(() => setPropertiesKey(content.toString("latin1"), "authToken", SECRET), text).toThrow(
        /starts with a UTF-8 byte order mark \(the bytes EF BB BF\) right before authToken: java\.util\.Properties reads those bytes as part of the key's name.*Remove the three bytes/,
      );
      const path = join(dir, `bom-${i}.properties`);
      await writeFile(path, content);
      await expect(
        checkSink(parseSink(`properties:${path}#authToken`), { id: "dt0g02.AAAAAAAA", name: "a" }),
      ).rejects.toThrow(`properties:${path}#authToken: it starts with a UTF-8 byte order mark`);
      await expect(propertiesSink(path, "authToken").deliver(SECRET)).rejects.toThrow(/byte order mark/);
      expect((await readFile(path)).equals(content), text).toBe(true);
    }
    // Another key is not hidden by the mark before authToken.
    expect(setPropertiesKey(withBom("authToken=old\nx=1\n").toString("latin1"), "x", "N")).toBe(
      withBom("authToken=old\nx=N\n").toString("latin1"),
    );
  });

  it("before a comment, a blank line or another key: the key is set, every other byte kept", async () => {
    const dir = await tempDir();
    for (const [i, text] of BOM_ELSEWHERE.entries()) {
      const path = join(dir, `bom-elsewhere-${i}.properties`);
      const content = withBom(text);
      await writeFile(path, content);
      await propertiesSink(path, "authToken").deliver(SECRET);
      const expected = text.includes("dt0g02.OLDOLDOL.old")
        ? withBom(text.replace("dt0g02.OLDOLDOL.old", SECRET))
        : withBom(`${text}authToken=${SECRET}\n`);
      expect((await readFile(path)).equals(expected), text).toBe(true);
    }
  });

  it.skipIf(!java)(
    "is read by java.util.Properties (as bytes and through a UTF-8 Reader) as part of the first key: authToken behind it is not seen, elsewhere it is set",
    { timeout: 300_000 },
    async () => {
      const dir = await tempDir();
      const write = (name: string, texts: string[]) =>
        Promise.all(
          texts.map(async (text, i) => {
            const path = join(dir, `${name}-${i}.properties`);
            await writeFile(path, withBom(text));
            return path;
          }),
        );
      const hides = await write("bom", BOM_HIDES_KEY);
      for (const [how, mark] of [
        ["stream", "\u00ef\u00bb\u00bf"],
        ["utf8", "\ufeff"],
      ] as const)
        for (const [i, loaded] of (await javaLoadsAll(hides, how)).entries()) {
          const text = BOM_HIDES_KEY[i]!;
          // What the sink refuses to work around: one of Java's keys starts with the mark.
          expect(
            Object.keys(loaded).filter((k) => k.startsWith(mark)),
            text,
          ).toHaveLength(1);
          expect(loaded.authToken, text).toBe(text.includes("later") ? "dt0g02.OLDOLDOL.later" : undefined);
        }
      const elsewhere = await write("bom-elsewhere", BOM_ELSEWHERE);
      const before = {
        stream: await javaLoadsAll(elsewhere, "stream"),
        utf8: await javaLoadsAll(elsewhere, "utf8"),
      };
      for (const path of elsewhere) await propertiesSink(path, "authToken").deliver(SECRET);
      for (const how of ["stream", "utf8"] as const)
        expect(await javaLoadsAll(elsewhere, how)).toEqual(
          before[how].map((loaded) => ({ ...loaded, authToken: SECRET })),
        );
    },
  );
});

/**
 * The same mark where the first fix did not look: twice at the start (saved twice), or at the start
 * of a later line (a file joined from others, `cat a.properties b.properties`). Java still reads it
 * as part of the key; the sink appended a second authToken and left the old value in the file.
 * And a UTF-16 file (its byte order mark): an ASCII line was appended to UTF-16 text.
 */
const BOM = "\u00ef\u00bb\u00bf";
const MARKS_ELSEWHERE_HIDE_KEY = [
  `${BOM}${BOM}authToken=dt0g02.OLDOLDOL.old\n`,
  `server=x\n${BOM}authToken=dt0g02.OLDOLDOL.old\n`,
  `# joined\r\nserver=x\r\n${BOM}  authToken=dt0g02.OLDOLDOL.old\r\n`,
];

describe("UTF-8 byte order marks beyond the start, and UTF-16 files", () => {
  it("a mark hiding the key elsewhere (twice at the start, at a later line's start): refused at check and delivery, the file kept byte for byte", async () => {
    const dir = await tempDir();
    for (const [i, text] of MARKS_ELSEWHERE_HIDE_KEY.entries()) {
      const content = Buffer.from(text, "latin1");
      expect(() => setPropertiesKey(text, "authToken", SECRET), text).toThrow(
        /UTF-8 byte order marks \(the bytes EF BB BF\) beyond the first three bytes, one of them right before authToken.*Remove every mark/,
      );
      const path = join(dir, `marks-${i}.properties`);
      await writeFile(path, content);
      await expect(
        checkSink(parseSink(`properties:${path}#authToken`), { id: "dt0g02.AAAAAAAA", name: "a" }),
      ).rejects.toThrow(/byte order mark/);
      await expect(propertiesSink(path, "authToken").deliver(SECRET)).rejects.toThrow(/byte order mark/);
      expect((await readFile(path)).equals(content), text).toBe(true);
    }
    // A mark in a value, or before another key, hides nothing: authToken is set.
    const harmless = `x=${BOM}\n${BOM}server=x\nauthToken=old\n`;
    expect(setPropertiesKey(harmless, "authToken", "N")).toBe(`x=${BOM}\n${BOM}server=x\nauthToken=N\n`);
  });

  it.skipIf(!java)(
    "java.util.Properties reads such a mark as part of the key: authToken is not seen",
    { timeout: 300_000 },
    async () => {
      const dir = await tempDir();
      const paths = await Promise.all(
        MARKS_ELSEWHERE_HIDE_KEY.map(async (text, i) => {
          const path = join(dir, `java-marks-${i}.properties`);
          await writeFile(path, Buffer.from(text, "latin1"));
          return path;
        }),
      );
      for (const loaded of await javaLoadsAll(paths, "stream")) expect(loaded.authToken).toBeUndefined();
    },
  );

  it("a UTF-16 file (FF FE or FE FF first): refused, saying what it is; nothing changed", async () => {
    const dir = await tempDir();
    const le = Buffer.from("\ufeffauthToken=dt0g02.OLDOLDOL.old\n", "utf16le");
    const be = Buffer.from(le).swap16();
    for (const [i, content] of [le, be].entries()) {
      expect(() => setPropertiesKey(content.toString("latin1"), "authToken", SECRET)).toThrow(
        /starts with a UTF-16 byte order mark \(the bytes (FF FE|FE FF)\): it is UTF-16 text, which java\.util\.Properties does not read/,
      );
      const path = join(dir, `utf16-${i}.properties`);
      await writeFile(path, content);
      await expect(propertiesSink(path, "authToken").deliver(SECRET)).rejects.toThrow(/UTF-16/);
      expect((await readFile(path)).equals(content)).toBe(true);
    }
  });
});

describe("properties sink", () => {
  it("keeps every other byte (latin1 and UTF-8 bytes alike) and the mode, and restore puts the file back byte for byte", async () => {
    const dir = await tempDir();
    const path = join(dir, "authorization.properties");
    const bytes = Buffer.concat([
      Buffer.from(TRICKY, "latin1"),
      Buffer.from("# UTF-8 bytes: \u00fc \u2603\r\n", "utf8"),
      Buffer.from([0x23, 0x20, 0xff, 0xfe, 0x0d, 0x0a]), // not UTF-8 at all
    ]);
    await writeFile(path, bytes);
    await chmod(path, 0o644);
    const sink = propertiesSink(path, "authToken");
    const saved = await sink.snapshot!();
    await sink.deliver(SECRET);
    const written = await readFile(path);
    const expected = Buffer.from(bytes.toString("latin1").replace("dt0g02.OLDOLDOL.old", SECRET), "latin1");
    expect(written.equals(expected)).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    await restore(saved);
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o644);
  });

  it("creates a missing file 0600 and removes it again on restore", async () => {
    const dir = await tempDir();
    const path = join(dir, "new.properties");
    const sink = propertiesSink(path, "authToken");
    const saved = await sink.snapshot!();
    await sink.deliver(SECRET);
    expect(await readFile(path, "latin1")).toBe(`authToken=${SECRET}\n`);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await restore(saved);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "keeps the owner and group of a file owned by another user (nobody, 0640), on delivery and on restore (as root)",
    async () => {
      const dir = await tempDir();
      const path = join(dir, "authorization.properties");
      await writeFile(path, "authToken=old\n");
      await chown(path, 65534, 65534);
      await chmod(path, 0o640);
      const sink = propertiesSink(path, "authToken");
      const before = await sink.snapshot!();
      await sink.deliver(SECRET);
      const after = await stat(path);
      expect([after.uid, after.gid, after.mode & 0o7777]).toEqual([65534, 65534, 0o640]);
      await restore(before);
      const restored = await stat(path);
      expect([restored.uid, restored.gid, restored.mode & 0o7777]).toEqual([65534, 65534, 0o640]);
      expect(await readFile(path, "utf8")).toBe("authToken=old\n");
    },
  );

  it("parses properties:PATH#KEY and says what is accepted otherwise", () => {
    expect(parseSink("properties:/opt/ag/authorization.properties#authToken")).toEqual({
      kind: "properties",
      path: "/opt/ag/authorization.properties",
      key: "authToken",
    });
    expect(parseSink("properties:dir#1/a.properties#a.b-c")).toEqual({
      kind: "properties",
      path: "dir#1/a.properties",
      key: "a.b-c",
    });
    for (const [bad, why] of [
      ["properties:a.properties", "needs a path and a key"],
      ["properties:#authToken", "needs a path and a key"],
      ["properties:a.properties#", "is not a properties key"],
      ["properties:a.properties#a b", "is not a properties key"],
      ["properties:a.properties#a=b", "is not a properties key"],
    ])
      expect(() => parseSink(bad!)).toThrow(why!);
  });

  it("is checked before anything is created: a malformed file is refused", async () => {
    const dir = await tempDir();
    const path = join(dir, "bad.properties");
    await writeFile(path, "x=\\u12\n");
    await expect(
      checkSink(parseSink(`properties:${path}#authToken`), { id: "dt0g02.AAAAAAAA", name: "a" }),
    ).rejects.toThrow(/malformed/);
  });

  it("is one place with another properties sink of the same file and key, and with a file sink of the file", async () => {
    const dir = await tempDir();
    const path = join(dir, "authorization.properties");
    await writeFile(path, "authToken=old\n");
    const target = { title: "A", id: "dt0g02.AAAAAAAA", name: "a" };
    const conflict = async (first: string, second: string) =>
      (await findSinkConflict([parseSink(first), parseSink(second)], [target])) !== undefined;
    expect(
      await conflict(
        `properties:${path}#authToken`,
        `properties:${dir}/./authorization.properties#authToken`,
      ),
    ).toBe(true);
    expect(await conflict(`properties:${path}#authToken`, `file:${path}`)).toBe(true);
    expect(await conflict(`file:${path}`, `properties:${path}#authToken`)).toBe(true);
    expect(await conflict(`properties:${path}#authToken`, `properties:${path}#tenantToken`)).toBe(false);
    // Two targets, one properties key: the second would overwrite the first's secret.
    const two = await findSinkConflict(
      [parseSink(`properties:${path}#authToken`)],
      [target, { title: "B", id: "dt0g02.BBBBBBBB", name: "b" }],
    );
    expect(two).toBeDefined();
  });
});

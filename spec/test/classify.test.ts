// The classification of spec changes, on the committed spec edited one way per case: what users of
// the packages would see (breaking, addition or text) and the bump it demands.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { bumpFor, classifyChanges } from "../scripts/classify.mjs";
import { specPath } from "../scripts/sync.mjs";

const spec = parse(readFileSync(specPath, "utf8"));

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document edited in place
type Doc = any;

function changed(edit: (doc: Doc) => void) {
  const after = structuredClone(spec);
  edit(after);
  const changes = classifyChanges(spec, after);
  return {
    changes: changes.map((c: { level: string; message: string }) => `${c.level}: ${c.message}`),
    bump: bumpFor(changes),
  };
}

describe("breaking changes (major)", () => {
  test.each([
    [
      "a response field removed",
      (d: Doc) => delete d.components.schemas.ApiToken.properties.owner,
      "breaking: Field ApiToken.owner removed",
    ],
    [
      "an operation removed",
      (d: Doc) => delete d.paths["/apiTokens/lookup"],
      "breaking: Operation removed: POST /apiTokens/lookup",
    ],
    [
      "a body field newly required",
      (d: Doc) => d.components.schemas.ApiTokenCreate.required.push("expirationDate"),
      "breaking: Field ApiTokenCreate.expirationDate is now required in requests",
    ],
    [
      "a response field no longer always present",
      (d: Doc) => d.components.schemas.ApiTokenList.required.pop(),
      "breaking: Field ApiTokenList.totalCount is no longer always present",
    ],
    [
      "an assignable scope removed",
      (d: Doc) =>
        d.components.schemas.TokenScope.enum.splice(
          d.components.schemas.TokenScope.enum.indexOf("metrics.read"),
          1,
        ),
      "breaking: Assignable scope `metrics.read` removed from TokenScope",
    ],
    [
      "a type changed",
      (d: Doc) => {
        d.components.schemas.ApiToken.properties.enabled.type = "string";
      },
      "breaking: Type of ApiToken.enabled changed from `boolean` to `string`",
    ],
    [
      "a format dropped (a type widened from integer to number)",
      (d: Doc) => {
        const count = d.components.schemas.ApiTokenList.properties.totalCount;
        count.type = "number";
        delete count.format;
      },
      "breaking: Format of ApiTokenList.totalCount changed from `int64` to `(none)`",
    ],
    [
      "a nullable field no longer nullable",
      (d: Doc) => {
        d.components.schemas.ApiTokenList.properties.nextPageKey.nullable = false;
      },
      "breaking: ApiTokenList.nextPageKey may no longer be null",
    ],
    [
      "a response field that may now be null (readers typed it string | undefined)",
      (d: Doc) => {
        d.components.schemas.ApiToken.properties.expirationDate.nullable = true;
      },
      "breaking: ApiToken.expirationDate may now be null (responses carry it)",
    ],
    [
      "a free string narrowed to an enum",
      (d: Doc) => {
        d.components.schemas.ApiToken.properties.owner.enum = ["admin"];
      },
      'breaking: ApiToken.owner narrowed to the values `["admin"]`',
    ],
    [
      "a maximum lowered",
      (d: Doc) => {
        d.paths["/apiTokens"].get.parameters.find((p: Doc) => p.name === "pageSize").schema.maximum = 500;
      },
      "breaking: GET /apiTokens parameter `pageSize`: maximum `10000` → `500`",
    ],
    [
      "a new required parameter",
      (d: Doc) =>
        d.paths["/apiTokens"].get.parameters.push({
          name: "owner",
          in: "query",
          required: true,
          schema: { type: "string" },
        }),
      "breaking: GET /apiTokens: new required parameter `owner` (query)",
    ],
    [
      "a parameter removed",
      (d: Doc) =>
        d.paths["/apiTokens"].get.parameters.splice(
          d.paths["/apiTokens"].get.parameters.findIndex((p: Doc) => p.name === "sort"),
          1,
        ),
      "breaking: GET /apiTokens: parameter `sort` (query) removed",
    ],
  ])("%s", (_name, edit, expected) => {
    const { changes, bump } = changed(edit);
    expect(changes).toContain(expected);
    expect(bump).toBe("major");
  });
});

describe("additions (minor)", () => {
  test.each([
    [
      "a response field added",
      (d: Doc) => {
        d.components.schemas.ApiToken.properties.region = { type: "string" };
      },
      "addition: Field ApiToken.region added (string)",
    ],
    [
      "a request-only field that may now be null (senders gain a value)",
      (d: Doc) => {
        d.components.schemas.ApiTokenUpdate.properties.name.nullable = true;
      },
      "addition: ApiTokenUpdate.name may now be null",
    ],
    [
      "a scope added",
      (d: Doc) => d.components.schemas.TokenScope.enum.push("brand.new"),
      "addition: Assignable scope `brand.new` added to TokenScope",
    ],
    [
      "a known response scope added",
      (d: Doc) => d.components.schemas.ResponseTokenScope["x-extensible-enum"].push("brand.new"),
      "addition: Known response scope `brand.new` added to ResponseTokenScope",
    ],
    [
      "an optional parameter added",
      (d: Doc) =>
        d.paths["/apiTokens"].get.parameters.push({ name: "q", in: "query", schema: { type: "string" } }),
      "addition: GET /apiTokens: new parameter `q` (query)",
    ],
    [
      "an operation added",
      (d: Doc) => {
        d.paths["/apiTokens/{id}/rotate"] = {
          post: { operationId: "rotate", responses: { "200": { description: "ok" } } },
        };
      },
      "addition: Operation added: POST /apiTokens/{id}/rotate",
    ],
    [
      "a maximum raised",
      (d: Doc) => {
        d.paths["/apiTokens"].get.parameters.find((p: Doc) => p.name === "pageSize").schema.maximum = 20000;
      },
      "addition: GET /apiTokens parameter `pageSize`: maximum `10000` → `20000`",
    ],
  ])("%s", (_name, edit, expected) => {
    const { changes, bump } = changed(edit);
    expect(changes).toEqual([expected]);
    expect(bump).toBe("minor");
  });
});

describe("documentation (patch)", () => {
  test("descriptions, summaries and examples, including of a field named like a keyword", () => {
    const { changes, bump } = changed((d) => {
      d.components.schemas.ApiToken.properties.name.description = "Changed.";
      d.paths["/apiTokens"].get.summary = "Changed.";
      d.components.schemas.ApiTokenList.example.totalCount = 7;
    });
    expect(changes).toEqual([
      "text: Description of ApiToken.name changed",
      "text: Example of ApiTokenList changed",
      "text: Summary of GET /apiTokens changed",
    ]);
    expect(bump).toBe("patch");
  });

  test("no change, no bump", () => {
    expect(changed(() => {})).toEqual({ changes: [], bump: undefined });
  });
});

test("a change no rule knows is breaking, to be reviewed by hand", () => {
  const { changes, bump } = changed((d) => {
    d.components.schemas.ApiToken.properties.owner.oneOf = [{ type: "string" }];
  });
  expect(changes[0]).toMatch(
    /^breaking: Unclassified change at \/components\/schemas\/ApiToken\/properties\/owner\/oneOf/,
  );
  expect(bump).toBe("major");
});

describe("enum values: responses' enums are open, requests' closed", () => {
  // A base with a Mode enum on the schema(s) given, and the same with a value added.
  function withMode(...schemas: string[]) {
    const before = structuredClone(spec);
    before.components.schemas.Mode = { type: "string", enum: ["A"] };
    for (const name of schemas) {
      before.components.schemas[name].properties.mode = { $ref: "#/components/schemas/Mode" };
    }
    const after = structuredClone(before);
    after.components.schemas.Mode.enum.push("B");
    const changes = classifyChanges(before, after);
    return {
      changes: changes.map((c: { level: string; message: string }) => `${c.level}: ${c.message}`),
      bump: bumpFor(changes),
    };
  }

  test("a value added to a response-only enum (generated open) is an addition", () => {
    expect(withMode("ApiToken")).toEqual({ changes: ["addition: Value `B` added to Mode"], bump: "minor" });
    const { changes, bump } = changed((d) =>
      d.components.schemas.ConstraintViolation.properties.parameterLocation.enum.push("COOKIE"),
    );
    expect(changes).toEqual(["addition: Value `COOKIE` added to ConstraintViolation.parameterLocation"]);
    expect(bump).toBe("minor");
  });

  test("a value added to a request-only enum is an addition; removed, it breaks senders", () => {
    expect(withMode("ApiTokenUpdate")).toEqual({
      changes: ["addition: Value `B` added to Mode"],
      bump: "minor",
    });
  });

  test("a value added to an enum that requests and responses share (closed) breaks readers", () => {
    expect(withMode("ApiTokenUpdate", "ApiToken")).toEqual({
      changes: [
        "breaking: Value `B` added to Mode, a closed enum that responses also carry (requests use it)",
      ],
      bump: "major",
    });
  });
});

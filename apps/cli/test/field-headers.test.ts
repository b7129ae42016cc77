// A field Dynatrace adds reaches the CLI's tables with no code change: a header made from its name,
// a place after the known columns, and it gives way early when the table must shrink.
import { describe, expect, test } from "vitest";
import { fieldHeader, tokenColumns } from "../src/format.js";
import { FIELD_ORDER, type Field } from "../src/validate.js";

describe("fields the CLI does not name", () => {
  test("get a header from their name", () => {
    expect(fieldHeader("lastUsedHost" as Field)).toBe("LAST USED HOST");
    expect(fieldHeader("lastUsedIpAddress")).toBe("LAST USED FROM");
  });

  test("give way before every known column but the metadata", () => {
    const [known, added] = tokenColumns(["lastUsedIpAddress", "lastUsedHost" as Field]);
    expect(added?.importance).toBeLessThan(known?.importance ?? 0);
    expect(added?.importance).toBeGreaterThan(tokenColumns(["additionalMetadata"])[0]?.importance ?? 1);
  });

  test("every generated field has a place in the order", async () => {
    const { API_TOKEN_FIELDS } = await import("@dt-tokens/client");
    expect([...FIELD_ORDER].sort()).toEqual([...API_TOKEN_FIELDS].sort());
  });
});

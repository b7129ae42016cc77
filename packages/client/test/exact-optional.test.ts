// The public types (dist/*.d.ts, as a consumer gets them) under `exactOptionalPropertyTypes`: the fixture
// is compiled with the TypeScript compiler API, and must give no diagnostics (its @ts-expect-error
// lines must each be an error).
import { join } from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";

test("exactOptionalPropertyTypes: { owner: undefined }, create({ expirationDate: undefined }) and the page-key overload", () => {
  const file = join(import.meta.dirname, "fixtures", "exact-optional.ts");
  const program = ts.createProgram([file], {
    strict: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
    skipLibCheck: true,
    types: [],
  });
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) =>
        `${d.file ? `${d.file.fileName.split("/").pop()}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : ""}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
    );
  expect(diagnostics).toEqual([]);
}, 120_000);

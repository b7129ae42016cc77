// Consumer fixture (spec:update compiles it against the old and the new types): reading tokens the
// way users do. Fields the spec requires are used without checks; the others with `?.`/`??`.
import {
  type ApiTokensClient,
  type ApiTokenWith,
  createApiTokensClient,
  type FullApiToken,
  type ResponseTokenScope,
} from "@dt-tokens/client";

export const dt: ApiTokensClient = createApiTokensClient({
  environmentUrl: "http://127.0.0.1:1",
  token: "x",
});

export async function read(id: string, secret: string): Promise<string[]> {
  const full = await dt.get(id);
  const looked = await dt.lookup(secret);
  const lines = [full.name.toUpperCase(), looked.owner, full.creationDate, String(full.enabled)];
  lines.push(full.expirationDate ?? "never", full.lastUsedDate ?? "never", full.modifiedDate ?? "-");
  // Optional fields passed on as `string | undefined` (a field that may become null breaks this).
  const expires: string | undefined = full.expirationDate;
  lines.push(expires ?? "never");
  const scopes: ResponseTokenScope[] = full.scopes;
  lines.push(...scopes);
  const page = await dt.list({ fields: ["name", "lastUsedDate"], pageSize: 100, sort: "-lastUsedDate" });
  for (const t of page.apiTokens) lines.push(t.id, t.name, t.lastUsedDate ?? "never");
  for await (const t of dt.listAll({ fields: { add: ["scopes"], remove: ["owner"] } })) {
    lines.push(t.id, ...t.scopes);
  }
  const picked = await dt.get(id, { fields: ["name", "expirationDate"] });
  lines.push(picked.name, picked.expirationDate ?? "never");
  return lines;
}

// Object literals of the public types, as tests and fakes build them.
export const token: FullApiToken = {
  id: "dt0c01.ABC",
  name: "ci",
  enabled: true,
  owner: "alice",
  creationDate: "2026-01-01T00:00:00.000Z",
  personalAccessToken: false,
  scopes: ["metrics.read"],
};
export const listed: ApiTokenWith<"name" | "lastUsedDate"> = { id: "dt0c01.ABC", name: "ci" };

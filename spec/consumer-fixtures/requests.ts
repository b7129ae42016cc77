// Consumer fixture: every writing method and the request bodies users build.
import {
  type ApiTokenUpdate,
  type CreateInput,
  createApiTokensClient,
  LIST_PAGE_SIZE,
  LIST_SORT_KEYS,
  type ListParams,
  type ListSort,
  type TokenScope,
} from "@dt-tokens/client";
import type { ApiTokenCreate, ApiTokenSecret } from "@dt-tokens/types";

const dt = createApiTokensClient({ environmentUrl: "http://127.0.0.1:1", token: "x" });

const scopes: TokenScope[] = ["metrics.read", "apiTokens.read", "logs.ingest"];
export const body: ApiTokenCreate = {
  name: "ci",
  scopes,
  personalAccessToken: false,
  expirationDate: "now+30d",
};
export const input: CreateInput = { name: "ci", scopes, expirationDate: new Date() };
export const change: ApiTokenUpdate = { name: "renamed", enabled: false, scopes };
export const secret: ApiTokenSecret = { token: "dt0c01.ABC.DEF" };
export const params: ListParams = {
  pageSize: LIST_PAGE_SIZE.maximum,
  sort: "-creationDate",
  selector: 'owner("a")',
};
export const sorts: ListSort[] = LIST_SORT_KEYS.map((k) => `-${k}` as const);

export async function write(id: string): Promise<string> {
  const created = await dt.create(input);
  await dt.update(id, change);
  await dt.delete(created.id);
  const rotated = await dt.rotate(id, { expirationDate: "now+30d", revoke: "disable" });
  return `${created.token} ${created.expirationDate ?? "never"} ${rotated.created.token} ${rotated.previous.name}`;
}

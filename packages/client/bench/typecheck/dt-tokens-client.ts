// A small consumer of @dt-tokens/client (typecheck.mjs times tsc on it).
import { createApiTokensClient, NotFoundError, type TokenScope } from "@dt-tokens/client";

const dt = createApiTokensClient({
  environmentUrl: "https://abc12345.live.dynatrace.com",
  token: "dt0c01.X.Y",
});
const scopes: TokenScope[] = ["metrics.read", "logs.read"];

export async function unused(): Promise<string[]> {
  const page = await dt.list({ pageSize: 500, fields: ["name", "lastUsedDate"] });
  const created = await dt.create({ name: "ci", scopes });
  const one = await dt
    .get(created.id)
    .catch((e) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
  return [...page.apiTokens.filter((t) => !t.lastUsedDate).map((t) => t.name), one?.name ?? ""];
}

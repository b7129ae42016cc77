// Canned responses shared by the in-memory fetch and the loopback server of the overhead benchmark.
export const TOKEN_ID = "dt0c01.ST2EY72KQINMH574WMNVI7YN";
export const SECRET = `${TOKEN_ID}.${"G".repeat(64)}`;

const token = (i) => ({
  id: i === 0 ? TOKEN_ID : `dt0c01.${String(i).padStart(24, "A")}`,
  name: `token-${i}`,
  enabled: true,
  owner: "admin",
  creationDate: "2025-01-25T05:57:01.123Z",
});

/** GET /apiTokens/{id}: every field. */
export const GET_BODY = JSON.stringify({
  ...token(0),
  personalAccessToken: false,
  expirationDate: "2026-01-25T05:57:01.123Z",
  lastUsedDate: "2025-06-01T10:00:00.000Z",
  lastUsedIpAddress: "127.0.0.1",
  modifiedDate: "2025-02-01T10:00:00.000Z",
  scopes: ["metrics.read", "logs.read", "apiTokens.read"],
  additionalMetadata: {},
});

/** GET /apiTokens: one page of 10 tokens with the default fields (a small page: overhead, not parsing). */
export const LIST_BODY = JSON.stringify({
  totalCount: 10,
  pageSize: 200,
  nextPageKey: null,
  apiTokens: Array.from({ length: 10 }, (_, i) => token(i)),
});

/** POST /apiTokens: 201. */
export const CREATE_BODY = JSON.stringify({ id: TOKEN_ID, token: SECRET, expirationDate: null });

export const CREATE_REQUEST = { name: "bench", scopes: ["metrics.read"] };

export const AG_TOKEN_ID = "dt0g02.4KWZO5EF";
const agToken = (i) => ({
  id: i === 0 ? AG_TOKEN_ID : `dt0g02.${String(i).padStart(8, "A")}`,
  name: `ag-${i}`,
  owner: "admin",
  creationDate: "2025-01-25T05:57:01.123Z",
  expirationDate: "2026-01-25T05:57:01.123Z",
  activeGateType: "ENVIRONMENT",
  seedToken: false,
});
/** GET /activeGateTokens/{id}. */
export const AG_GET_BODY = JSON.stringify(agToken(0));
/** GET /activeGateTokens: a page of 10. */
export const AG_LIST_BODY = JSON.stringify({
  totalCount: 10,
  pageSize: 100,
  nextPageKey: null,
  activeGateTokens: Array.from({ length: 10 }, (_, i) => agToken(i)),
});
/** POST /activeGateTokens: 201. */
export const AG_CREATE_BODY = JSON.stringify({
  id: AG_TOKEN_ID,
  token: `${AG_TOKEN_ID}.${"G".repeat(64)}`,
  expirationDate: "2026-01-25T05:57:01.123Z",
});
export const AG_CREATE_REQUEST = { name: "bench", activeGateType: "ENVIRONMENT" };

/** The status and body for a request, whatever the API prefix (/api/v2 or the SDK's platform one). */
export function answer(method, pathname) {
  if (method === "POST" && pathname.endsWith("/activeGateTokens")) return [201, AG_CREATE_BODY];
  if (method === "GET" && pathname.endsWith("/activeGateTokens")) return [200, AG_LIST_BODY];
  if (method === "GET" && pathname.includes("/activeGateTokens/")) return [200, AG_GET_BODY];
  if (method === "POST" && pathname.endsWith("/apiTokens")) return [201, CREATE_BODY];
  if (method === "GET" && pathname.endsWith("/apiTokens")) return [200, LIST_BODY];
  if (method === "GET" && pathname.includes("/apiTokens/")) return [200, GET_BODY];
  return [404, JSON.stringify({ error: { code: 404, message: "not found" } })];
}

export const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

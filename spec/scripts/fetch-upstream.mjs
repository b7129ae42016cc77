// Fetches Dynatrace's Environment API v2 document from a URL (spec-watch does this on a schedule),
// and the environment's build when the caller does not name it: GET /api/v1/config/clusterversion
// with the token in DT_API_TOKEN (sent only in the Authorization header, never printed).

const TIMEOUT_MS = 60_000;

/** The URL as errors show it: no query (Dynatrace accepts `?api-token=`), no user info. */
function shown(url) {
  const { origin, pathname } = new URL(url);
  return `${origin}${pathname}`;
}

async function get(url, headers = {}) {
  let response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "follow" });
  } catch (err) {
    throw new Error(`could not fetch ${shown(url)}: ${err.cause?.message ?? err.message}`);
  }
  if (!response.ok) throw new Error(`${shown(url)} answered HTTP ${response.status} ${response.statusText}`);
  return response.text();
}

/** The document's text (checked to be JSON). */
export async function fetchUpstream(url) {
  const text = await get(url);
  try {
    JSON.parse(text);
  } catch {
    throw new Error(`${shown(url)} did not return JSON (expected Dynatrace's spec3.json)`);
  }
  return text;
}

/**
 * The build (`<major>.<build>`) of the environment serving `specUrl`, from its cluster version
 * endpoint (`{"version":"1.256.0.20221110-123456"}` → `1.256`). The environment's path prefix
 * (a Managed `/e/<id>`) is kept: the document lives at `<prefix>/api/v2/spec3.json`.
 */
export async function fetchBuild(specUrl, token) {
  const url = new URL(specUrl);
  const prefix = url.pathname.replace(/\/api\/v2\/.*$/, "");
  const versionUrl = new URL(`${prefix}/api/v1/config/clusterversion`, url.origin);
  const text = await get(versionUrl, { Authorization: `Api-Token ${token}`, Accept: "application/json" });
  const version = (() => {
    try {
      return JSON.parse(text).version;
    } catch {
      return undefined;
    }
  })();
  const match = /^(\d+)\.(\d+)\./.exec(typeof version === "string" ? `${version}.` : "");
  if (!match) {
    throw new Error(`${shown(versionUrl)} did not return a cluster version like {"version":"1.256.0..."}`);
  }
  return `${match[1]}.${match[2]}`;
}

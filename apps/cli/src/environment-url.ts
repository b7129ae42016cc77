/**
 * doctor's first check: the environment URL's form, its scheme (https, or http only to this
 * machine) and which API it maps to. Pure: no network, no environment variables.
 */
import { checkUrl, normalizeEnvironmentUrl, type UrlProblem } from "@dt-tokens/client";
import { hostKind, otherDynatraceHost, PLATFORM_API_PREFIX } from "@dt-tokens/types";
import { HTTP_ONLY_LOOPBACK_FIX, urlText } from "./url-text.js";

export const PLATFORM_PREFIX = PLATFORM_API_PREFIX;

const ACCEPTED =
  "https://<env-id>.apps.dynatrace.com (platform), https://<env-id>.live.dynatrace.com (SaaS), https://<host>/e/<env-id> (Managed), or an API base ending in /api/v2 or /platform/classic/environment-api/v2";

/** What the URL is, once it passed. */
export type UrlKind = "platform" | "saas" | "managed" | "api-base" | "platform-base" | "other-host";

export type UrlCheck =
  | { ok: true; url: string; kind: UrlKind; hostname: string; warning?: { detail: string; fix: string } }
  | { ok: false; detail: string; fix: string };

/**
 * The checked URL: what it is and its problems, in plain words. `source` names where it came from.
 * Whether it is refused is the client's answer (checkUrl, the one URL rule); this only words it
 * for a person who set a variable or a flag, and says which API it maps to.
 */
export function checkEnvironmentUrl(raw: string, source: string): UrlCheck {
  const input = raw.trim();
  const shown = urlText(input);
  const answer = checkUrl("environmentUrl", input);
  if (!answer.ok) return refused(answer.problem, source, input, shown);
  const parsed = new URL(input);
  const apiBase = answer.url;
  const hostname = parsed.hostname;
  const path = new URL(apiBase).pathname;
  const platformPath = path.endsWith(PLATFORM_PREFIX);
  const url = input;
  if (hostKind(hostname) === "platform" && !platformPath) {
    return {
      ok: true,
      url,
      kind: "api-base",
      hostname,
      warning: {
        detail: `${hostname} is a platform host, but the path ends in /api/v2`,
        fix: `on the platform the API is under ${PLATFORM_PREFIX}: give https://${hostname} alone; for a classic token use https://${hostname.replace(".apps.", ".live.")}`,
      },
    };
  }
  if (hostKind(hostname) === "saas" && platformPath) {
    return {
      ok: true,
      url,
      kind: "api-base",
      hostname,
      warning: {
        detail: `${hostname} is a classic SaaS host, but the path is the platform prefix`,
        fix: `give https://${hostname} alone for a classic token; for a platform token use https://${hostname.replace(".live.", ".apps.")}`,
      },
    };
  }
  const root = parsed.pathname.replace(/\/+$/, "") === "";
  let kind: UrlKind = platformPath ? "platform-base" : "api-base";
  if (/^\/e\/[^/]+\/?$/.test(parsed.pathname) || /^\/e\/[^/]+\/api\/v2\/*$/.test(parsed.pathname))
    kind = "managed";
  else if (hostKind(hostname) === "platform") kind = "platform";
  else if (hostKind(hostname) === "saas") kind = "saas";
  else if (root) kind = "other-host";
  return { ok: true, url, kind, hostname };
}

/** A refused URL in the words of someone who set DT_ENV_URL or --env-url (never a library option). */
function refused(problem: UrlProblem, source: string, input: string, shown: string): UrlCheck {
  switch (problem) {
    case "user-info":
      return {
        ok: false,
        detail: `${source} holds a user name or password (${shown})`,
        fix: "remove the user:password@ part: dt-tokens never reads credentials from the URL; set DT_API_TOKEN, DT_PLATFORM_TOKEN or an OAuth client instead (and change that password: it may be in logs or shell history)",
      };
    case "query":
      return {
        ok: false,
        detail: `${source} has a query or fragment (${shown})`,
        fix: "remove everything from ? or #: the environment URL is the scheme, host and path only",
      };
    case "cleartext":
      return {
        ok: false,
        detail: `${source} uses http:// to ${new URL(input).hostname}: the credential would travel in cleartext`,
        fix: HTTP_ONLY_LOOPBACK_FIX,
      };
    case "scheme":
      return {
        ok: false,
        detail: `${source} "${shown}" is not an http(s) URL`,
        fix: `set it to ${ACCEPTED}`,
      };
    default:
      return { ok: false, detail: `${source} "${shown}" is not an environment URL`, fix: `use ${ACCEPTED}` };
  }
}

/** The URL's API base for a credential: another host's root goes where the credential's scheme is taken. */
export function apiBaseFor(url: string, platformCredential: boolean): string {
  return normalizeEnvironmentUrl(url, platformCredential);
}

/** The same environment on the other host (`<id>.live.` ⇄ `<id>.apps.`), when the host says which. */
export const otherHost = otherDynatraceHost;

/** Which API a URL of this kind maps to, in words, for the report. */
export function describeKind(kind: UrlKind): string {
  switch (kind) {
    case "platform":
      return `a platform environment: the API is under ${PLATFORM_PREFIX}, for platform tokens and OAuth clients`;
    case "saas":
      return "a SaaS environment: the classic API under /api/v2, for classic API tokens";
    case "managed":
      return "a Managed (or ActiveGate) environment: the classic API under /e/<env-id>/api/v2, for classic API tokens";
    case "other-host":
      return `not a *.dynatrace.com host: /api/v2 for a classic token, ${PLATFORM_PREFIX} for a platform credential`;
    case "api-base":
      return "a full API base (/api/v2, for classic API tokens), used as it is";
    case "platform-base":
      return `a full API base: the platform prefix, for platform tokens and OAuth clients`;
  }
}

/**
 * doctor's first check: the environment URL's form, its scheme (https, or http only to this
 * machine) and which API it maps to. Pure: no network, no environment variables.
 */
import { normalizeEnvironmentUrl } from "@dt-tokens/client";
import { urlText } from "./url-text.js";

export const PLATFORM_PREFIX = "/platform/classic/environment-api/v2";

const ACCEPTED =
  "https://<env-id>.apps.dynatrace.com (platform), https://<env-id>.live.dynatrace.com (SaaS), https://<host>/e/<env-id> (Managed), or an API base ending in /api/v2 or /platform/classic/environment-api/v2";

// Hosts as `URL` spells them (lower case; IPv6 in brackets).
const PLATFORM_HOST = /\.apps\.dynatrace(?:labs)?\.com$/;
const CLASSIC_HOST = /\.live\.dynatrace(?:labs)?\.com$/;
const LOOPBACK = /^(127(\.\d{1,3}){3}|\[::1\]|(.+\.)?localhost)$/;

/** Whether a hostname, as `URL` spells it, is this machine. */
export function isLoopback(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/** What the URL is, once it passed. */
export type UrlKind = "platform" | "saas" | "managed" | "api-base" | "platform-base" | "other-host";

export type UrlCheck =
  | { ok: true; url: string; kind: UrlKind; hostname: string; warning?: { detail: string; fix: string } }
  | { ok: false; detail: string; fix: string };

/** The checked URL: what it is and its problems, in plain words. `source` names where it came from. */
export function checkEnvironmentUrl(raw: string, source: string): UrlCheck {
  const input = raw.trim();
  const shown = urlText(input);
  let parsed: URL;
  try {
    parsed = new URL(input);
  } catch {
    return { ok: false, detail: `${source} "${shown}" is not a URL`, fix: `set it to ${ACCEPTED}` };
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return {
      ok: false,
      detail: `${source} holds a user name or password (${shown})`,
      fix: "remove the user:password@ part: dt-tokens never reads credentials from the URL; set DT_API_TOKEN, DT_PLATFORM_TOKEN or an OAuth client instead (and change that password: it may be in logs or shell history)",
    };
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return { ok: false, detail: `${source} "${shown}" is not an http(s) URL`, fix: `set it to ${ACCEPTED}` };
  }
  if (parsed.search !== "" || parsed.hash !== "") {
    return {
      ok: false,
      detail: `${source} has a query or fragment (${shown})`,
      fix: "remove everything from ? or #: the environment URL is the scheme, host and path only",
    };
  }
  if (parsed.protocol === "http:" && !isLoopback(parsed.hostname)) {
    return {
      ok: false,
      detail: `${source} uses http:// to ${parsed.hostname}: the credential would travel in cleartext`,
      fix: "use https:// (plain http is accepted only for this machine: localhost, 127.0.0.1, [::1])",
    };
  }
  let apiBase: string;
  try {
    apiBase = normalizeEnvironmentUrl(input);
  } catch {
    return { ok: false, detail: `${source} "${shown}" is not an environment URL`, fix: `use ${ACCEPTED}` };
  }
  const hostname = parsed.hostname;
  const path = new URL(apiBase).pathname;
  const platformPath = path.endsWith(PLATFORM_PREFIX);
  const url = input;
  if (PLATFORM_HOST.test(hostname) && !platformPath) {
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
  if (CLASSIC_HOST.test(hostname) && platformPath) {
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
  else if (PLATFORM_HOST.test(hostname)) kind = "platform";
  else if (CLASSIC_HOST.test(hostname)) kind = "saas";
  else if (root) kind = "other-host";
  return { ok: true, url, kind, hostname };
}

/** The URL's API base for a credential: another host's root goes where the credential's scheme is taken. */
export function apiBaseFor(url: string, platformCredential: boolean): string {
  return normalizeEnvironmentUrl(url, platformCredential);
}

/** The same environment on the other host (`<id>.live.` ⇄ `<id>.apps.`), when the host says which. */
export function otherHost(hostname: string, to: "live" | "apps"): string | undefined {
  const m = /^([^.]+)\.(?:live|apps)\.(dynatrace(?:labs)?\.com)$/.exec(hostname);
  return m ? `https://${m[1]}.${to}.${m[2]}` : undefined;
}

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

/**
 * The request the methods hand to the request loop. openapi-fetch builds one of these instead of a
 * `Request` (its `Request` option): the URL, headers and serialized body go on to fetch as they are,
 * without building a `Request` and reading its body back, which is most of what a call costs.
 * @internal
 */
export class PreparedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  /** What openapi-fetch would have built the Request from: method, headers, body (a JSON string), redirect. */
  readonly init: RequestInit & { headers: Headers };
  /** A POST that may go twice without harm (a token request): retried as a read is. */
  readonly retrySafe: boolean;

  constructor(url: string, init: RequestInit & { headers: Headers }, retrySafe = false) {
    this.url = url;
    this.method = init.method ?? "GET";
    this.headers = init.headers;
    this.init = init;
    this.retrySafe = retrySafe;
  }
}

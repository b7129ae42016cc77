/**
 * Each query parameter at most once. A repeated parameter (`?pageSize=100&pageSize=500`) is a
 * 400 naming it, rather than one of its values taken silently: a client that repeats one has a
 * bug it should hear about. Runs after authentication, like every other check of the query.
 */
import { createMiddleware } from "hono/factory";
import { badRequest, type Violation, violation } from "../errors.js";
import { redactSecrets } from "../secrets.js";
import type { Env } from "./context.js";

export const eachQueryParameterOnce = createMiddleware<Env>(async (c, next) => {
  const counts = new Map<string, number>();
  for (const name of new URL(c.req.url).searchParams.keys()) counts.set(name, (counts.get(name) ?? 0) + 1);
  const violations: Violation[] = [];
  for (const [name, count] of counts)
    if (count > 1)
      violations.push(
        violation(
          // the name only, never a value (api-token holds a secret); a secret pasted as a name is masked
          redactSecrets(name.length > 100 ? `${name.slice(0, 100)}…` : name),
          "QUERY",
          `is given ${count} times; give it once (list values such as fields are comma-separated)`,
        ),
      );
  if (violations.length > 0) throw badRequest(violations);
  return next();
});

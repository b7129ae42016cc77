/**
 * Benchmarks (run with `pnpm bench`): bulk seeding, listing 100,000 tokens with pageSize 10000,
 * and single requests. The baseline in each group is measured in the same run.
 */
import { afterAll, beforeAll, bench, describe } from "vitest";
import { generateDemoTokens, type Sandbox, startSandbox } from "../src/index.js";

const demo = generateDemoTokens({ count: 100_000, seed: 1 });
let listing: Sandbox;

beforeAll(async () => {
  listing = await startSandbox();
  listing.seed(demo);
});
afterAll(() => listing?.close());

describe("seeding 100,000 tokens", () => {
  bench(
    "sandbox.seed (one transaction)",
    async () => {
      const s = await startSandbox({ bootstrapToken: false });
      s.seed(demo);
      await s.close();
    },
    { iterations: 3, warmupIterations: 0 },
  );
  bench(
    "baseline: JSON round trip of the same tokens",
    () => {
      JSON.parse(JSON.stringify(demo));
    },
    { iterations: 3, warmupIterations: 0 },
  );
});

describe("listing 100,000 tokens", () => {
  bench(
    "every page with pageSize 10000",
    async () => {
      const headers = { authorization: `Api-Token ${listing.bootstrapToken}` };
      let url = `${listing.apiBase}/apiTokens?pageSize=10000&fields=%2Bscopes`;
      for (;;) {
        const page = (await (await fetch(url, { headers })).json()) as { nextPageKey: string | null };
        if (!page.nextPageKey) break;
        url = `${listing.apiBase}/apiTokens?nextPageKey=${encodeURIComponent(page.nextPageKey)}`;
      }
    },
    { iterations: 3, warmupIterations: 1 },
  );
  bench(
    "a first page of 200 with a selector",
    async () => {
      const headers = { authorization: `Api-Token ${listing.bootstrapToken}` };
      const selector = encodeURIComponent('owner("ci-pipeline"),scope("metrics.ingest")');
      await (
        await fetch(`${listing.apiBase}/apiTokens?apiTokenSelector=${selector}&sort=name`, { headers })
      ).json();
    },
    { iterations: 20 },
  );
  bench(
    "baseline: lookup of one token",
    async () => {
      const headers = {
        authorization: `Api-Token ${listing.bootstrapToken}`,
        "content-type": "application/json",
      };
      await (
        await fetch(`${listing.apiBase}/apiTokens/lookup`, {
          method: "POST",
          headers,
          body: JSON.stringify({ token: listing.bootstrapToken }),
        })
      ).json();
    },
    { iterations: 50 },
  );
});

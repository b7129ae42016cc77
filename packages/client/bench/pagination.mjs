// Pagination: listAll over 100,000 tokens with pageSize 10000, against the sandbox bin in its own
// process (so its heap is not ours), seeded with generateDemoTokens (--seed-demo). Run with
// --expose-gc. Throughput: tokens per second, vs a raw fetch loop over the same pages (baseline).
// Heap: heapUsed after a full GC, sampled every 1,000 tokens while iterating; the growth must stay
// flat (one page in flight), unlike collecting every token into an array (shown for contrast).
import { createApiTokensClient } from "@dt-tokens/client";
import { median, startSandboxProcess, writeSection } from "../../../bench/lib.mjs";

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
const gc = globalThis.gc;
const QUICK = process.env.BENCH_QUICK === "1";
const COUNT = 100_000;
const PAGE_SIZE = 10_000;
const RUNS = QUICK ? 1 : 3;
const MB = 2 ** 20;

const heap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

const sandbox = await startSandboxProcess(["--seed-demo", String(COUNT - 1)]); // + the bootstrap token
try {
  const dt = createApiTokensClient({ environmentUrl: sandbox.url, token: sandbox.bootstrapToken });
  const params = { pageSize: PAGE_SIZE };

  async function viaListAll() {
    let n = 0;
    for await (const _ of dt.listAll(params)) n++;
    return n;
  }
  async function viaRawFetch() {
    const headers = { authorization: `Api-Token ${sandbox.bootstrapToken}` };
    let url = `${sandbox.apiBase}/apiTokens?pageSize=${PAGE_SIZE}`;
    let n = 0;
    for (;;) {
      const page = await (await fetch(url, { headers })).json();
      for (const _ of page.apiTokens) n++;
      if (!page.nextPageKey) return n;
      url = `${sandbox.apiBase}/apiTokens?nextPageKey=${encodeURIComponent(page.nextPageKey)}`;
    }
  }
  async function rate(fn) {
    const start = performance.now();
    const n = await fn();
    if (n !== COUNT) throw new Error(`expected ${COUNT} tokens, got ${n}`);
    return n / ((performance.now() - start) / 1000);
  }

  await viaRawFetch(); // warm-up: the sandbox's statement cache, the JIT, the socket
  await viaListAll();
  const raw = [];
  const ours = [];
  for (let i = 0; i < RUNS; i++) {
    raw.push(await rate(viaRawFetch));
    ours.push(await rate(viaListAll));
  }

  // Heap while iterating: a GC and a sample every 1,000 tokens (10 per page).
  const before = heap();
  const samples = [];
  let n = 0;
  for await (const _ of dt.listAll(params)) {
    if (++n % 1000 === 500) samples.push(heap() - before);
  }
  const after = heap() - before;
  const pageMeans = Array.from({ length: COUNT / PAGE_SIZE }, (_, p) => {
    const s = samples.slice(p * 10, p * 10 + 10);
    return s.reduce((a, b) => a + b, 0) / s.length;
  });
  const peak = Math.max(...samples);
  const drift = pageMeans.at(-1) - pageMeans[0];

  // For contrast: what buffering every token looks like (the array is alive at the sample).
  const bufferedBefore = heap();
  const all = [];
  for await (const t of dt.listAll(params)) all.push(t);
  const buffered = heap() - bufferedBefore;
  if (all.length !== COUNT) throw new Error("buffered run lost tokens");

  writeSection({
    id: "pagination",
    order: 2,
    title: "Pagination: listAll over 100,000 tokens (pageSize 10000) from the sandbox",
    method:
      `The sandbox bin in a second process (in-memory SQLite, ${COUNT.toLocaleString("en-US")} demo tokens, default fields). ` +
      `Throughput: median of ${RUNS} full passes after a warm-up; baseline: a raw fetch loop over the same pages. ` +
      "Heap: heapUsed after a full GC (node --expose-gc) every 1,000 tokens while iterating, relative to before the first page; " +
      "drift = mean of the samples on the last page minus on the first page (0 = flat). Baseline for the heap: the same listAll collected into an array.",
    rows: [
      { name: "raw fetch loop", value: median(raw), unit: "tokens/s", better: "higher" },
      {
        name: "listAll",
        value: median(ours),
        unit: "tokens/s",
        better: "higher",
        baseline: "raw fetch loop",
      },
      {
        name: "heap: all 100,000 tokens collected into an array",
        value: buffered / MB,
        unit: "MiB",
        better: "lower",
      },
      {
        name: "heap: peak growth while iterating listAll",
        value: peak / MB,
        unit: "MiB",
        better: "lower",
        baseline: "heap: all 100,000 tokens collected into an array",
      },
      {
        name: "heap: drift from page 1 to page 10 while iterating",
        value: drift / MB,
        unit: "MiB",
        better: "lower",
        baseline: "heap: all 100,000 tokens collected into an array",
        note: Math.abs(drift) < 0.1 * buffered ? "flat" : "NOT flat",
      },
      { name: "heap: growth after iterating", value: after / MB, unit: "MiB", better: "lower" },
    ],
    extra: { heapSamplesMiB: samples.map((s) => Math.round((s / MB) * 100) / 100), everyTokens: 1000 },
  });
} finally {
  await sandbox.close();
}

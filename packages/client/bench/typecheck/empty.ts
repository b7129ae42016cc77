// Baseline for typecheck.mjs: tsc's fixed cost (startup, lib.d.ts) with no import at all.
export const nothing = 0;

/**
 * One progress display for a whole fleet on stderr (only on a terminal): tokens read of the tokens
 * the environments reported so far, and environments done.
 */
import cliProgress from "cli-progress";
import type { Io } from "../io.js";

export class FleetProgress {
  #bar: cliProgress.SingleBar | undefined;
  #total = 0;
  #value = 0;
  #done = 0;
  #failed = 0;

  constructor(
    io: Io,
    label: string,
    private readonly count: number,
  ) {
    if (!io.stderr.isTTY) return;
    this.#bar = new cliProgress.SingleBar(
      {
        stream: io.stderr as NodeJS.WriteStream,
        format: `${label} [{bar}] {value}/{total} tokens · {done}/{count} environments{failed}`,
        barsize: 24,
        clearOnComplete: true,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.#bar.start(0, 0, this.#payload());
  }

  #payload() {
    return { done: this.#done, count: this.count, failed: this.#failed ? ` (${this.#failed} failed)` : "" };
  }

  /** An environment said how many tokens it holds. */
  expect(tokens: number): void {
    this.#total += tokens;
    this.#bar?.setTotal(this.#total);
    this.#bar?.update(this.#value, this.#payload());
  }

  advance(tokens: number): void {
    this.#value += tokens;
    this.#bar?.update(this.#value, this.#payload());
  }

  environmentDone(ok: boolean): void {
    this.#done++;
    if (!ok) this.#failed++;
    this.#bar?.update(this.#value, this.#payload());
  }

  stop(): void {
    this.#bar?.stop();
  }
}

/** What every command gets: the streams, the global options, colours and a lazy connection. */

import type { ApiToken } from "@dt-tokens/client";
import { escapeControl } from "@dt-tokens/client/display";
import {
  type ActiveGateConnection,
  type Connection,
  connect,
  connectActiveGate,
  type GlobalOptions,
  StdinReader,
} from "./connection.js";
import { type OutputFormat, TokenWriter, tokenDetail } from "./format.js";
import { type Colors, colorsFor, type Io } from "./io.js";
import type { Field } from "./validate.js";

export class Context {
  readonly stdin: StdinReader;
  /** Colours for stdout (tables) and stderr (messages). */
  readonly out: Colors;
  readonly err: Colors;
  connection?: Connection;
  /** The connection of the ActiveGate-tokens commands. */
  activeGateConnection?: ActiveGateConnection;

  constructor(
    readonly io: Io,
    readonly options: GlobalOptions,
  ) {
    this.stdin = new StdinReader(io);
    this.out = colorsFor(io.stdout, io.env, options.color);
    this.err = colorsFor(io.stderr, io.env, options.color);
  }

  async connect(fallback?: { value: string; source: string }): Promise<Connection> {
    this.connection = await connect(this.options, this.io, this.stdin, (t) => this.warn(t), fallback);
    return this.connection;
  }

  async connectActiveGate(): Promise<ActiveGateConnection> {
    this.activeGateConnection = await connectActiveGate(this.options, this.io, this.stdin, (t) =>
      this.warn(t),
    );
    return this.activeGateConnection;
  }

  /** The URL of the environment connected to, for error messages. */
  get url(): string | undefined {
    return this.connection?.url ?? this.activeGateConnection?.url;
  }

  /**
   * A line for people on stderr, control characters escaped (names and messages come from the
   * API); `style` colours it afterwards.
   */
  note(text: string, style: (text: string) => string = (t) => t): void {
    this.io.stderr.write(`${style(escapeControl(text))}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`${this.err.yellow("warning:")} ${escapeControl(text)}\n`);
  }

  /** One token in the chosen format (get, lookup, update). */
  printToken(token: ApiToken, format: OutputFormat): void {
    if (format === "table") this.io.stdout.write(tokenDetail(token, this.out, this.io.stdout));
    else if (format === "json") this.io.stdout.write(`${JSON.stringify(token, null, 2)}\n`);
    else {
      const fields = Object.keys(token) as Field[];
      const writer = new TokenWriter(this.io.stdout, format, fields, this.options.csvGuard);
      writer.write(token);
      writer.end();
    }
  }
}

/** `dt-tokens activegate-tokens` (alias `ag-tokens`): the group of the ActiveGate-token commands. */
import type { Command } from "commander";
import { examples } from "../../cmdutil.js";

/** Defines the group; returns it for its subcommands (program.ts adds them). */
export function registerActiveGateTokens(program: Command): Command {
  return program
    .command("activegate-tokens")
    .alias("ag-tokens")
    .description("ActiveGate tokens (dt0g02): list, get, create, delete, audit, rotate")
    .addHelpText(
      "after",
      `
ActiveGate tokens authenticate ActiveGates. With token enforcement on (Dynatrace turns it on by
itself once every ActiveGate has been ready for 30 days), an ActiveGate whose token expires is
disconnected: \`ag-tokens audit\` names the hosts at risk and when they go dark.
A classic token needs activeGateTokenManagement.read (list, get, audit), .write (delete; create
also takes .create) and activeGates.read (audit); a platform token or OAuth client
environment-api:activegate-tokens:read, :create, :write and environment-api:activegates:read.
${examples(`
  $ dt-tokens ag-tokens list
  $ dt-tokens ag-tokens audit --fail-on high
  $ dt-tokens ag-tokens create --name ag-prod-03 --expires now+1y --to 'properties:authorization.properties#authToken'
  $ dt-tokens ag-tokens delete dt0g02.ABCDEFGH --yes`)}`,
    );
}

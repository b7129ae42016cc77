/** Several environments for the ActiveGate-token commands: runFleet, with an ActiveGate-tokens client per environment. */
import type { ActiveGateTokensClient } from "@dt-tokens/client/activegate";
import type { FleetFlags } from "../cmdutil.js";
import { createActiveGateClient } from "../connection.js";
import type { Context } from "../context.js";
import type { NamedEnvironment } from "../environments.js";
import { DEFAULT_DEADLINE_MS, type EnvironmentReport, fleetTimeout, runFleet } from "./run.js";

export function runActiveGateFleet<R>(
  ctx: Context,
  fleet: readonly NamedEnvironment[],
  flags: FleetFlags,
  label: string,
  job: (client: ActiveGateTokensClient, signal: AbortSignal, env: NamedEnvironment) => Promise<R>,
): Promise<EnvironmentReport<R>[]> {
  const deadlineMs = flags.deadline ?? DEFAULT_DEADLINE_MS;
  return runFleet(
    fleet,
    { concurrency: flags.concurrency, deadlineMs, label },
    ctx.options,
    ctx.io,
    async (env) => {
      const client = createActiveGateClient(
        env.url,
        await env.credential(),
        ctx.options,
        ctx.io,
        fleetTimeout(ctx.options, env, deadlineMs),
      );
      return job(client, AbortSignal.timeout(deadlineMs), env);
    },
  );
}

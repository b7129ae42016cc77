// Consumer fixture: the ActiveGate-tokens client (@dt-tokens/client/activegate), every method, the
// fields users read and the bodies they build. Its response-only enums (token states, OS, update
// status) are open: a switch names the known values and keeps a default for the ones Dynatrace adds.
import {
  ACTIVEGATE_TOKENS_PAGE_SIZE,
  type ActiveGate,
  type ActiveGateToken,
  type ActiveGateTokenCreateInput,
  type ActiveGateTokenState,
  type ActiveGateTokensClient,
  type ActiveGateTokenType,
  createActiveGateTokensClient,
  type ListActiveGatesQuery,
} from "@dt-tokens/client/activegate";

export const ag: ActiveGateTokensClient = createActiveGateTokensClient({
  environmentUrl: "http://127.0.0.1:1",
  token: "x",
});

export function stateText(state: ActiveGateTokenState): string {
  switch (state) {
    case "VALID":
      return "valid";
    case "EXPIRING":
      return "expiring";
    case "ABSENT":
    case "INVALID":
    case "UNKNOWN":
    case "UNSUPPORTED":
      return "attention";
    default:
      return state.toLowerCase();
  }
}

export const kind: ActiveGateTokenType = "ENVIRONMENT";
export const body: ActiveGateTokenCreateInput = {
  name: "ag",
  activeGateType: kind,
  seedToken: false,
  expirationDate: "now+30d",
};
export const query: ListActiveGatesQuery = { tokenState: "EXPIRING", osType: "LINUX" };

export async function use(id: string): Promise<string[]> {
  const lines: string[] = [];
  const page = await ag.list({ pageSize: ACTIVEGATE_TOKENS_PAGE_SIZE.maximum });
  for (const t of page.activeGateTokens) lines.push(t.id, t.name, t.owner, t.creationDate);
  for await (const t of ag.listAll()) lines.push(t.id, t.expirationDate ?? "never", t.lastUsedDate ?? "-");
  const one: ActiveGateToken = await ag.get(id);
  lines.push(one.name);
  const created = await ag.create(body);
  lines.push(created.id, created.token, created.expirationDate ?? "never");
  await ag.delete(created.id);
  const gates: ActiveGate[] = await ag.activeGates(query);
  const gate = await ag.activeGate(gates[0]?.id ?? id);
  for (const t of gate.activeGateTokens ?? []) lines.push(t.id ?? "?", stateText(t.state ?? "UNKNOWN"));
  lines.push(gate.osType ?? "?", gate.autoUpdateStatus ?? "?");
  const enforced = await ag.enforcement();
  lines.push(String(enforced.manualEnforced ?? false), enforced.autoEnforcementEstimation?.unit ?? "-");
  return lines;
}

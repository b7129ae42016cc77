/**
 * Dynatrace's timeframe formats, parsed by `@dt-tokens/types` (one grammar for the sandbox and the
 * CLI), and the date format of responses.
 */
export {
  alignDown,
  DATE_RANGE,
  inDateRange,
  MAX_DATE_MS,
  MIN_DATE_MS,
  parseTimeframe,
  TIMEFRAME_FORMATS,
} from "@dt-tokens/types";

/** `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString();
}

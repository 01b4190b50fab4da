// Prometheus-style durations: "30d", "12h", "1h30m", "90s", "500ms". Units must appear largest first
// and at most once, as Prometheus' model.ParseDuration requires.

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_SECONDS = [365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001];

/** Duration in seconds, or undefined if the text is not a non-zero Prometheus duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text === "") return undefined;
  const seconds = match.slice(1).reduce((sum, part, i) => sum + (part ? Number(part) * UNIT_SECONDS[i] : 0), 0);
  return seconds > 0 ? seconds : undefined;
}

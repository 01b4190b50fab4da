// The one table of upstream charts: fixed release names (changing one would replace a database)
// and the pinned chart URL and version from config (`charts.*`, overridable for a mirror).
import { ChartsConfig } from "../config/sections/platform";

export type ChartKey = keyof ChartsConfig;

/** Fixed Helm release names; Service and Secret names derive from them. Never change these. */
export const RELEASE_NAMES: Readonly<Record<ChartKey, string>> = {
  postgresql: "postgresql",
  redis: "redis",
  prometheus: "prometheus",
  grafana: "grafana",
};

export interface PinnedChart {
  readonly chart: string;
  readonly version: string;
  readonly releaseName: string;
}

export function pinnedChart(charts: ChartsConfig, key: ChartKey): PinnedChart {
  return { chart: charts[key].chart, version: charts[key].version, releaseName: RELEASE_NAMES[key] };
}

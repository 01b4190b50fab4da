// The local chart cache the tests render and install the charts from: one directory per chart,
// named <chart>-<version>, filled as docs/operations.md "Air-gapped charts" says. APE_CHART_CACHE
// moves it.
import * as os from "os";
import * as path from "path";
import { defaultsFor } from "../../stack";
import { ChartsConfig } from "../../platform/platform.settings";

export const CHART_CACHE = process.env.APE_CHART_CACHE ?? path.join(os.homedir(), ".cache", "ape-2026-charts");

/** The charts whose pinned versions the cache holds (Neo4j's pinned chart cannot be fetched on these machines). */
export const CACHED_CHARTS = ["postgresql", "redis", "prometheus", "grafana"] as const;

/** The cache directory of `chart` at `version`, the pinned version unless given. */
export function cachedChart(chart: keyof ChartsConfig, version: string = defaultsFor("development").charts[chart].version): string {
  return path.join(CHART_CACHE, `${chart}-${version}`);
}

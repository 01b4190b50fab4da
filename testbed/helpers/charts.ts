// The local chart cache the tests render and install the charts from: one directory per chart,
// named <chart>-<version>, filled as docs/operations.md "Air-gapped charts" says. APE_CHART_CACHE
// moves it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Obj } from "../../scripts/charts/diff";
import { DEFAULT_KUBE_VERSION, findHelm, render } from "../../scripts/charts/helm";
import { ReleaseSpec, ROOT } from "../../scripts/charts/values";
import { defaultsFor } from "../../stack";
import { ChartsConfig } from "../../platform/platform.settings";

export const CHART_CACHE = process.env.APE_CHART_CACHE ?? path.join(os.homedir(), ".cache", "ape-2026-charts");

/** The charts whose pinned versions the cache holds (Neo4j's pinned chart cannot be fetched on these machines). */
export const CACHED_CHARTS = ["postgresql", "redis", "prometheus", "grafana"] as const;

/** The cache directory of `chart` at `version`, the pinned version unless given. */
export function cachedChart(chart: keyof ChartsConfig, version: string = defaultsFor("development").charts[chart].version): string {
  return path.join(CHART_CACHE, `${chart}-${version}`);
}

/** Renders releases of one cached chart with the provider's Helm, or says why it cannot (a test then skips with it). */
export interface CachedChartRenderer {
  readonly skip?: string;
  /** `inputs`: a helm.v3.Release's inputs as the mocked program registered them. */
  render(inputs: Record<string, any>): Obj[];
}

export function cachedChartRenderer(chart: keyof ChartsConfig): CachedChartRenderer {
  let helm = "";
  let skip: string | undefined;
  try {
    helm = findHelm().bin;
  } catch (e) {
    skip = (e as Error).message;
  }
  const dir = cachedChart(chart);
  if (!fs.existsSync(path.join(dir, "Chart.yaml"))) skip = `${dir} is not in the chart cache (docs/operations.md "Air-gapped charts")`;
  return {
    skip,
    render: (inputs) => {
      const { name, chart, version, namespace, values } = inputs;
      const release: ReleaseSpec = { name, chart, version, namespace, values, secretValuePaths: [] };
      const objects = render(release, { helm, source: "offline", kubeVersion: DEFAULT_KUBE_VERSION, root: ROOT });
      if (!Array.isArray(objects)) throw new Error(objects.missing);
      return objects;
    },
  };
}

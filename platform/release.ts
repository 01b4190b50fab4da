// One helm.v3.Release per upstream chart. The chart URL and exact version come from config
// (`charts.*`, overridable for a mirror); the release name is a fixed chart fact (each chart's
// contract module), because Service, Secret and PVC names derive from it: changing one would
// replace a database.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { statefulOptions } from "./options";
import { ChartsConfig, ImagesConfig } from "./platform.settings";

export interface PinnedChart {
  /** A chart URL, or the chart's name in `repo`. */
  readonly chart: string;
  readonly version: string;
  readonly releaseName: string;
  /** A classic Helm repository serving `chart` by name (unset for OCI and chart-archive URLs). */
  readonly repo?: string;
}

/** The configured chart of `key` under its fixed release name. */
export function pinnedChart(charts: ChartsConfig, key: keyof ChartsConfig, releaseName: string): PinnedChart {
  const configured: { chart: string; version: string; repo?: string } = charts[key];
  return {
    chart: configured.chart,
    version: configured.version,
    releaseName,
    ...(configured.repo ? { repo: configured.repo } : {}),
  };
}

/** How long Helm may take and how much history it keeps, per kind of release. */
export interface ReleaseSettings {
  readonly timeout: number;
  readonly maxHistory: number;
  /** Stated explicitly for the data releases (see DATA_RELEASE); left to Helm's defaults otherwise. */
  readonly explicit?: { readonly createNamespace: false; readonly atomic: false; readonly cleanupOnFail: false };
}

/**
 * Data releases (PostgreSQL, Redis). StatefulSets wait for volume provisioning and image pulls, so
 * Helm's 300 s default is too short. Not atomic: a failed install would be uninstalled, but the
 * PVCs (and the password the data directory was initialised with) survive, so a retry would start
 * from half-initialised data while the evidence of the failure is gone. A failed release stays for
 * `helm status` / `kubectl logs`.
 */
export const DATA_RELEASE: ReleaseSettings = {
  timeout: 900,
  maxHistory: 10,
  explicit: { createNamespace: false, atomic: false, cleanupOnFail: false },
};

/**
 * Monitoring releases (Prometheus TSDB, Grafana): smaller volumes, quicker. Not atomic either (Helm's
 * default): a failed upgrade must not roll back over a TSDB that has moved on.
 */
export const MONITORING_RELEASE: ReleaseSettings = { timeout: 600, maxHistory: 5 };

/** What every chart component takes besides its own config section. */
export interface ChartServiceArgs {
  /** The `charts` section (chart URL and version). */
  readonly charts: ChartsConfig;
  /** The `images` section (mirror registry, pull secrets). */
  readonly images: ImagesConfig;
  /** The stack's namespace (Output of the Namespace resource, so the release waits for it). */
  readonly namespace: pulumi.Output<string>;
  /** Protect the release and its credentials (production). */
  readonly isProduction: boolean;
}

/** The Release inputs of a pinned chart. */
export function releaseArgs(
  chart: PinnedChart,
  settings: ReleaseSettings,
  namespace: pulumi.Input<string>,
  values: pulumi.Input<Record<string, unknown>>,
): k8s.helm.v3.ReleaseArgs {
  return {
    name: chart.releaseName,
    chart: chart.chart,
    version: chart.version,
    ...(chart.repo !== undefined ? { repositoryOpts: { repo: chart.repo } } : {}),
    namespace,
    ...settings.explicit,
    values,
    timeout: settings.timeout,
    maxHistory: settings.maxHistory,
  };
}

/** One chart release of a component: which chart, under which release name, how Helm treats it, with which values. */
export interface ChartRelease {
  /** The chart's key in the `charts` section. */
  readonly chart: keyof ChartsConfig;
  /** The fixed release name (a chart fact of the component's contract). */
  readonly releaseName: string;
  readonly settings: ReleaseSettings;
  /** The values the component builds, as an Output of the resources they name (the release waits for those). */
  readonly values: pulumi.Output<Record<string, unknown>>;
  /** The section's `extraValues`, merged over `values` last (see withExtraValues); unset for charts without them. */
  readonly extraValues?: Record<string, unknown>;
  /** What must exist before Helm installs the chart (credential Secrets, volumes, RBAC the chart's pods use). */
  readonly dependsOn: pulumi.Resource[];
}

/**
 * The helm.v3.Release `name`, a child of the component `parent`: the configured chart and version
 * under the fixed release name, in the stack's namespace, protected in production like the data it holds.
 */
export function chartRelease(name: string, parent: pulumi.Resource, args: ChartServiceArgs, release: ChartRelease): k8s.helm.v3.Release {
  const extra = release.extraValues;
  const values = extra === undefined ? release.values : release.values.apply((v) => withExtraValues(v, extra));
  return new k8s.helm.v3.Release(
    name,
    releaseArgs(pinnedChart(args.charts, release.chart, release.releaseName), release.settings, args.namespace, values),
    statefulOptions(args.isProduction, parent, { dependsOn: release.dependsOn }),
  );
}

/**
 * `extra` merged over `values` as Helm merges values files: maps merge key by key, lists and
 * scalars replace, and null is kept (Helm then removes the chart's default for that key).
 */
export function withExtraValues(values: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const merge = (base: unknown, over: unknown): unknown => {
    if (!isMap(base) || !isMap(over)) return over === undefined ? base : structuredClone(over);
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(over)) out[key] = key in out ? merge(out[key], value) : structuredClone(value);
    return out;
  };
  return merge(values, extra) as Record<string, unknown>;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

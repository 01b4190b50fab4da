// The one table of upstream charts: fixed release names (changing one would replace a database)
// and the pinned chart URL and version from config (`charts.*`, overridable for a mirror), plus the
// image helpers every chart uses so that a mirror registry or pull secret is one config change.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ChartsConfig, ImagesConfig } from "../config/sections/platform";

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

/** Release settings shared by the stateful releases (databases). */
export const DATABASE_RELEASE = {
  /** StatefulSets wait for volume provisioning and image pulls: Helm's 300 s default is too short. */
  timeoutSeconds: 900,
  /** Release revisions Helm keeps (each one is a Secret in the namespace). */
  maxHistory: 10,
} as const;

/** What a database component (PostgreSQL, Redis) takes besides its own config section. */
export interface DataServiceArgs {
  /** The `charts` section (chart URL and version). */
  readonly charts: ChartsConfig;
  /** The `images` section (mirror registry, pull secrets). */
  readonly images: ImagesConfig;
  /** The stack's namespace (Output of the Namespace resource). */
  readonly namespace: pulumi.Output<string>;
  /** Protect the release, the credential Secret and the passwords (production). */
  readonly isProduction: boolean;
}

/**
 * Release inputs of a database chart. Not atomic: a failed install would be uninstalled, but the
 * PVCs (and the password the data directory was initialised with) survive, so a retry would start
 * from half-initialised data while the evidence of the failure is gone. A failed release stays
 * for `helm status` / `kubectl logs`.
 */
export function databaseReleaseArgs(chart: PinnedChart, namespace: pulumi.Input<string>, values: pulumi.Input<Record<string, unknown>>): k8s.helm.v3.ReleaseArgs {
  return {
    name: chart.releaseName,
    chart: chart.chart,
    version: chart.version,
    namespace,
    createNamespace: false,
    values,
    timeout: DATABASE_RELEASE.timeoutSeconds,
    maxHistory: DATABASE_RELEASE.maxHistory,
    atomic: false,
    cleanupOnFail: false,
  };
}

/** Release settings of the monitoring releases (Prometheus TSDB, Grafana): smaller volumes, quicker. */
export const MONITORING_RELEASE = {
  timeoutSeconds: 600,
  maxHistory: 5,
} as const;

/** Docker Hub, the registry of every Bitnami image. */
export const BITNAMI_REGISTRY = "docker.io";

/**
 * Bitnami moved its versioned images to docker.io/bitnamilegacy in 2025 (docker.io/bitnami lost
 * them). The pinned charts still name bitnami/*, so every image key is pointed here; tags stay the
 * chart's own (they exist under bitnamilegacy). A mirror must hold these repositories.
 */
export const BITNAMI_LEGACY = {
  postgresql: "bitnamilegacy/postgresql",
  postgresExporter: "bitnamilegacy/postgres-exporter",
  redis: "bitnamilegacy/redis",
  redisSentinel: "bitnamilegacy/redis-sentinel",
  redisExporter: "bitnamilegacy/redis-exporter",
  osShell: "bitnamilegacy/os-shell",
  kubectl: "bitnamilegacy/kubectl",
} as const;

/** An image reference as the Bitnami charts (and most others) take it. */
export interface ChartImage {
  registry?: string;
  repository: string;
  tag?: string;
}

/**
 * The registry an image is pulled from: the configured mirror (`images.registry`) when set,
 * otherwise the image's own registry.
 */
export function imageRegistry(images: ImagesConfig, own: string | undefined): string | undefined {
  return images.registry ?? own;
}

/** A chart image value with the mirror applied; `tag` only when given (else the chart's default). */
export function chartImage(images: ImagesConfig, image: { registry?: string; repository: string; tag?: string }, defaultRegistry?: string): ChartImage {
  const registry = imageRegistry(images, image.registry ?? defaultRegistry);
  return {
    ...(registry !== undefined ? { registry } : {}),
    repository: image.repository,
    ...(image.tag !== undefined && image.tag !== "" ? { tag: image.tag } : {}),
  };
}

/** The names of the pull Secrets every pod gets (`images.pullSecrets`). */
export function pullSecretNames(images: ImagesConfig): string[] {
  return [...images.pullSecrets];
}

/**
 * `global` values for a Bitnami chart: the mirror as global.imageRegistry, pull secrets, and
 * allowInsecureImages. The last is required: the charts refuse to render when an image is
 * relocated (mirror) or replaced (TimescaleDB); with bitnamilegacy alone they only warn.
 */
export function bitnamiGlobals(images: ImagesConfig): Record<string, unknown> {
  return {
    ...(images.registry !== undefined ? { imageRegistry: images.registry } : {}),
    imagePullSecrets: pullSecretNames(images),
    security: { allowInsecureImages: true },
  };
}

/** A Bitnami sidecar/helper image (exporter, os-shell, kubectl) on bitnamilegacy, chart tag. */
export function bitnamiImage(images: ImagesConfig, repository: string): ChartImage {
  return chartImage(images, { repository }, BITNAMI_REGISTRY);
}

// `prometheus` and `grafana`: the monitoring releases and the seed's alert thresholds.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { bool, duration, intAtLeast, nonEmpty, persistence, quantity, ratio, resources } from "../fields";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const metricName = () => z.string().regex(METRIC_NAME, { error: "must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)" });
const labelName = () => z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: "must be a Prometheus label name" });

const secretUrl = () =>
  z
    .string()
    .regex(/^https?:\/\/\S+$/, { error: "must be an http(s) URL" })
    .transform((url) => pulumi.secret(url));

export const prometheusSchema = () =>
  z.strictObject({
    enabled: bool(),
    server: z.strictObject({
      retention: duration(),
      retentionSize: quantity("storage").optional(),
      scrapeInterval: duration(),
      persistentVolume: persistence(),
      resources: resources(),
    }),
    alertmanager: z.strictObject({
      enabled: bool(),
      persistence: persistence(),
      resources: resources(),
      /** Receiver URLs are secrets: set them with `pulumi config set --secret --path`. */
      receivers: z.strictObject({
        slackWebhookUrl: secretUrl().optional(),
        webhookUrl: secretUrl().optional(),
        slackChannel: z.string().optional(),
      }),
    }),
    kubeStateMetrics: z.strictObject({ enabled: bool(), resources: resources() }),
    /** The config-reloader sidecar of the Prometheus server. */
    configmapReload: z.strictObject({ resources: resources() }),
    nodeExporter: z.strictObject({ enabled: bool() }),
    pushgateway: z.strictObject({ enabled: bool() }),
    /** ServiceMonitor/PrometheusRule objects for clusters that run the Prometheus Operator. */
    operator: z.strictObject({ enabled: bool() }),
    alerts: z.strictObject({
      errorRateThreshold: ratio(),
      latencyP95Seconds: z.preprocess(
        (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
        z.number({ error: "must be a number of seconds > 0" }).gt(0, { error: "must be a number of seconds > 0" }),
      ),
      diskFreeRatio: ratio(),
      crashLoopRestarts: intAtLeast(1),
      /** Window over which restarts are counted for PodCrashLooping. */
      crashLoopWindow: duration(),
      /** rate() window of the error-rate and latency alerts ("over 5m"). */
      rateWindow: duration(),
      for: duration(),
    }),
    apiMetrics: z.strictObject({
      requestsTotal: metricName(),
      statusLabel: labelName(),
      durationHistogram: metricName(),
    }),
  });
export type PrometheusConfig = z.infer<ReturnType<typeof prometheusSchema>>;

export const grafanaSchema = () =>
  z.strictObject({
    enabled: bool(),
    adminUser: nonEmpty("a user name"),
    persistence: persistence(),
    resources: resources(),
    /** The dashboard sidecar (k8s-sidecar) next to Grafana. */
    sidecar: z.strictObject({ resources: resources() }),
  });
export type GrafanaConfig = z.infer<ReturnType<typeof grafanaSchema>>;

/** The seed chart's values.yaml figures for Prometheus, plus the seed's alert thresholds. */
export const prometheusDefaults = {
  enabled: true,
  server: {
    retention: "30d",
    scrapeInterval: "30s",
    persistentVolume: { enabled: true, size: "50Gi" },
    resources: { requests: { memory: "1Gi", cpu: "250m" }, limits: { memory: "2Gi", cpu: "1000m" } },
  },
  alertmanager: {
    enabled: true,
    persistence: { enabled: true, size: "2Gi" },
    resources: { requests: { memory: "64Mi", cpu: "25m" }, limits: { memory: "128Mi", cpu: "100m" } },
    receivers: {},
  },
  kubeStateMetrics: { enabled: true, resources: { requests: { memory: "64Mi", cpu: "20m" }, limits: { memory: "256Mi", cpu: "200m" } } },
  configmapReload: { resources: { requests: { memory: "16Mi", cpu: "5m" }, limits: { memory: "64Mi", cpu: "50m" } } },
  nodeExporter: { enabled: false },
  pushgateway: { enabled: false },
  operator: { enabled: false },
  alerts: {
    errorRateThreshold: 0.05,
    latencyP95Seconds: 1,
    diskFreeRatio: 0.1,
    crashLoopRestarts: 3,
    crashLoopWindow: "15m",
    rateWindow: "5m",
    for: "5m",
  },
  apiMetrics: { requestsTotal: "http_requests_total", statusLabel: "status", durationHistogram: "http_request_duration_seconds" },
};

/** The seed chart's values.yaml figures for Grafana. */
export const grafanaDefaults = {
  enabled: true,
  adminUser: "admin",
  persistence: { enabled: true, size: "10Gi" },
  resources: { requests: { memory: "128Mi", cpu: "100m" }, limits: { memory: "256Mi", cpu: "500m" } },
  sidecar: { resources: { requests: { memory: "64Mi", cpu: "10m" }, limits: { memory: "128Mi", cpu: "100m" } } },
};

/**
 * Cross-section rule: node-exporter needs hostNetwork, hostPID and a host root mount, which the
 * "restricted" (and "baseline") Pod Security levels refuse; the release would install but its
 * DaemonSet pods would never be admitted.
 */
export function checkNodeExporterPodSecurity(
  config: { prometheus: { nodeExporter: { enabled: boolean } }; namespace: { podSecurity: { enforce: string } } },
  ctx: z.RefinementCtx,
): void {
  if (config.prometheus.nodeExporter.enabled && config.namespace.podSecurity.enforce !== "privileged") {
    ctx.addIssue({
      code: "custom",
      path: ["prometheus", "nodeExporter", "enabled"],
      input: true,
      message:
        `cannot be true while namespace.podSecurity.enforce is "${config.namespace.podSecurity.enforce}":` +
        ' node-exporter needs hostNetwork, hostPID and hostPath, which only "privileged" admits;' +
        " set namespace.podSecurity.enforce to privileged or run node-exporter in its own namespace",
    });
  }
}

/**
 * Cross-section rule: Grafana's default data source and both dashboards query the Prometheus
 * server of this stack; without it Grafana would provision a data source pointing nowhere.
 */
export function checkGrafanaNeedsPrometheus(
  config: { prometheus: { enabled: boolean }; grafana: { enabled: boolean } },
  ctx: z.RefinementCtx,
): void {
  if (config.grafana.enabled && !config.prometheus.enabled) {
    ctx.addIssue({
      code: "custom",
      path: ["grafana", "enabled"],
      input: true,
      message:
        "cannot be true while prometheus.enabled is false: Grafana's data source and dashboards read this stack's Prometheus;" +
        " enable prometheus or set grafana.enabled false",
    });
  }
}

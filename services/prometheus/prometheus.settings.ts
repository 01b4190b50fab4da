// `prometheus`: the Prometheus release (server, Alertmanager, kube-state-metrics) and the stack's alert thresholds.
import { z } from "zod";
import { parseQuantity } from "../../config/quantity";
import { extraValues } from "../../config/extra-values";
import { bool, duration, intAtLeast, persistence, quantity, ratio, resources } from "../../config/fields";
import { receiversSchema } from "./receivers.settings";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const metricName = () => z.string().regex(METRIC_NAME, { error: "must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)" });
/** A Kubernetes label key (optional DNS prefix and /, then a name of up to 63 characters). */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A Kubernetes label value: empty, or up to 63 characters. */
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const labelMap = () =>
  z
    .record(
      z.string(),
      z
        .string({ error: "must be a Kubernetes label value (a string; quote numbers and booleans)" })
        .regex(LABEL_VALUE, { error: "must be a Kubernetes label value: up to 63 letters, digits, '-', '_' or '.'" }),
    )
    .superRefine((labels, ctx) => {
      for (const key of Object.keys(labels).filter((k) => !LABEL_KEY.test(k)))
        ctx.addIssue({
          code: "custom",
          path: [key],
          input: key,
          message: "is not a Kubernetes label key (an optional DNS prefix and /, then up to 63 letters, digits, '-', '_' or '.')",
        });
    });
const labelName = () => z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: "must be a Prometheus label name" });

/** The largest share of its volume the TSDB's retentionSize may take (the WAL and compaction need the rest). */
const RETENTION_SIZE_SHARE = 0.9;

export const prometheusSchema = () =>
  z
    .strictObject({
      enabled: bool().meta({ description: "Install the Prometheus chart (release prometheus); Grafana needs it.", default: true }),
      server: z
        .strictObject({
          retention: duration().meta({ description: "How long samples are kept, as a duration such as 30d.", default: "30d" }),
          retentionSize: quantity("storage")
            .optional()
            .meta({
              description:
                "Most disk the samples may use, e.g. 40Gi: at most 90% of persistentVolume.size, which leaves room for the" +
                " write-ahead log and compaction; unset = 80% of the volume (only the time limit without a volume).",
            }),
          scrapeInterval: duration().meta({ description: "How often targets are scraped and rules evaluated, e.g. 30s.", default: "30s" }),
          persistentVolume: persistence().meta({
            description: "Volume of the time-series database.",
            default: { enabled: true, size: "50Gi" },
          }),
          resources: resources().meta({
            description: "CPU and memory of the Prometheus server.",
            default: {
              requests: { memory: "1Gi", cpu: "250m", "ephemeral-storage": "64Mi" },
              limits: { memory: "2Gi", cpu: "1000m", "ephemeral-storage": "1Gi" },
            },
          }),
        })
        .superRefine((s, c) => {
          // Prometheus deletes blocks only above retentionSize: set at or beyond the volume, the TSDB fills it and stops.
          if (!s.retentionSize || !s.persistentVolume.enabled) return;
          const room = parseQuantity(s.persistentVolume.size)! * RETENTION_SIZE_SHARE;
          if (parseQuantity(s.retentionSize)! > room) {
            c.addIssue({
              code: "custom",
              path: ["retentionSize"],
              input: s.retentionSize,
              message:
                `must be at most ${RETENTION_SIZE_SHARE * 100}% of prometheus.server.persistentVolume.size (${s.persistentVolume.size}):` +
                " above it the samples fill the volume before old blocks are deleted, and Prometheus stops writing",
            });
          }
        })
        .meta({ description: "The Prometheus server." }),
      alertmanager: z
        .strictObject({
          enabled: bool().meta({ description: "Run Alertmanager; without it the alerts show only in Prometheus.", default: true }),
          persistence: persistence().meta({
            description: "Volume for silences and notification state.",
            default: { enabled: true, size: "2Gi" },
          }),
          resources: resources().meta({
            description: "CPU and memory of Alertmanager.",
            default: {
              requests: { memory: "64Mi", cpu: "25m", "ephemeral-storage": "16Mi" },
              limits: { memory: "128Mi", cpu: "100m", "ephemeral-storage": "128Mi" },
            },
          }),
          receivers: receiversSchema(),
        })
        .meta({ description: "Alertmanager: groups the stack's alerts and notifies the receivers." }),
      kubeStateMetrics: z
        .strictObject({
          enabled: bool().meta({ description: "Run kube-state-metrics; the PodCrashLooping alert needs it.", default: true }),
          resources: resources().meta({
            description: "CPU and memory of kube-state-metrics.",
            default: {
              requests: { memory: "64Mi", cpu: "20m", "ephemeral-storage": "16Mi" },
              limits: { memory: "256Mi", cpu: "200m", "ephemeral-storage": "128Mi" },
            },
          }),
        })
        .meta({ description: "kube-state-metrics: the state of Kubernetes objects as metrics." }),
      configmapReload: z
        .strictObject({
          resources: resources().meta({
            description: "CPU and memory of the reloader sidecar.",
            default: {
              requests: { memory: "16Mi", cpu: "5m", "ephemeral-storage": "8Mi" },
              limits: { memory: "64Mi", cpu: "50m", "ephemeral-storage": "64Mi" },
            },
          }),
        })
        .meta({ description: "The sidecar that reloads the Prometheus server when its configuration changes." }),
      nodeExporter: z
        .strictObject({
          enabled: bool().meta({
            description:
              "Run node-exporter on every node; it needs hostNetwork, hostPID and hostPath, so namespace.podSecurity.enforce privileged.",
            default: false,
          }),
        })
        .meta({ description: "prometheus-node-exporter: metrics of the nodes themselves." }),
      pushgateway: z
        .strictObject({ enabled: bool().meta({ description: "Run the Pushgateway.", default: false }) })
        .meta({ description: "The Pushgateway, for batch jobs that push their metrics." }),
      operator: z
        .strictObject({
          enabled: bool().meta({
            description:
              "Also create ServiceMonitors (the API, the PostgreSQL and Redis exporters) and a PrometheusRule with the alerts," +
              " and admit the operator's Prometheus through the NetworkPolicies; needs the monitoring.coreos.com CRDs.",
            default: false,
          }),
          // The defaults are kube-prometheus-stack's: a Prometheus in namespace monitoring that selects
          // objects by the label release=<its release name>; its pods carry app.kubernetes.io/name=prometheus.
          labels: labelMap().meta({
            description:
              "Labels on the ServiceMonitors and the PrometheusRule that the operator's serviceMonitorSelector and ruleSelector" +
              " match, e.g. release: <kube-prometheus-stack release name>; null a key in the stack file to drop a default.",
            default: { release: "kube-prometheus-stack" },
          }),
          namespaceSelector: labelMap().meta({
            description: "Labels of the namespace the operator's Prometheus runs in (NetworkPolicies admit it); {} = any namespace.",
            default: { "kubernetes.io/metadata.name": "monitoring" },
          }),
          podSelector: labelMap().meta({
            description: "Labels of the operator's Prometheus pods (NetworkPolicies admit them to the metrics ports); {} = any pod.",
            default: { "app.kubernetes.io/name": "prometheus" },
          }),
        })
        .meta({ description: "Prometheus Operator mode: a Prometheus in another namespace scrapes the stack and evaluates its alerts." }),
      alerts: z
        .strictObject({
          errorRateThreshold: ratio().meta({
            description: "HighErrorRate fires above this share of API requests answered with 5xx (0 to 1: 0.05 = 5%).",
            default: 0.05,
          }),
          latencyP95Seconds: z
            .preprocess(
              (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
              z.number({ error: "must be a number of seconds > 0" }).gt(0, { error: "must be a number of seconds > 0" }),
            )
            .meta({
              description: "HighLatencyP95 fires when the 95th percentile of API request duration exceeds this many seconds.",
              default: 1,
            }),
          diskFreeRatio: ratio().meta({
            description: "LowDiskSpace fires when a volume claim has less than this share of its capacity free (0 to 1: 0.1 = 10%).",
            default: 0.1,
          }),
          crashLoopRestarts: intAtLeast(1).meta({
            description: "PodCrashLooping fires when a container restarts at least this many times within crashLoopWindow.",
            default: 3,
          }),
          crashLoopWindow: duration().meta({ description: "Window over which PodCrashLooping counts restarts, e.g. 15m.", default: "15m" }),
          rateWindow: duration().meta({ description: "rate() window of the error-rate and latency alerts, e.g. 5m.", default: "5m" }),
          for: duration().meta({ description: "How long a condition must hold before its alert fires, e.g. 5m.", default: "5m" }),
        })
        .meta({ description: "Thresholds of the stack's alerts: HighErrorRate, HighLatencyP95, LowDiskSpace and PodCrashLooping." }),
      apiMetrics: z
        .strictObject({
          requestsTotal: metricName().meta({
            description: "The API's counter of HTTP requests, e.g. http_requests_total.",
            default: "http_requests_total",
          }),
          statusLabel: labelName().meta({
            description: "Label of that counter holding the HTTP status code, e.g. status.",
            default: "status",
          }),
          durationHistogram: metricName().meta({
            description: "The API's histogram of request durations in seconds, named without its _bucket suffix.",
            default: "http_request_duration_seconds",
          }),
        })
        .meta({ description: "Names of the API's own metrics, which the alerts and the Grafana dashboards query." }),
      extraValues: extraValues("prometheus"),
    })
    .meta({ description: "Prometheus (prometheus-community chart): the server, Alertmanager, kube-state-metrics and the stack's alerts." });
export type PrometheusConfig = z.infer<ReturnType<typeof prometheusSchema>>;

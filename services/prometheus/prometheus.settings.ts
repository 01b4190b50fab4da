// `prometheus` and `grafana`: the monitoring releases and the stack's alert thresholds.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { extraValues } from "../../config/extra-values";
import { bool, duration, intAtLeast, nonEmpty, persistence, quantity, ratio, resources } from "../../config/fields";

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

/** The severities the stack's alerts carry (alerts.build.ts); receivers are routed by them. */
const SEVERITIES = ["critical", "warning"] as const;
export type Severity = (typeof SEVERITIES)[number];

const RECEIVERS_PATH = "prometheus.alertmanager.receivers";

const secretUrl = () =>
  z
    .string({ error: "must be an http(s) URL" })
    .regex(/^https?:\/\/\S+$/, { error: "must be an http(s) URL" })
    .transform((url) => pulumi.secret(url));

const secretString = (what: string) => nonEmpty(what).transform((value) => pulumi.secret(value));

/** A secret receiver setting: what it is, and the command that stores it encrypted. */
const secretHelp = (path: string, what: string) => `${what} Secret: pulumi config set --secret --path ${RECEIVERS_PATH}.${path} <value>.`;

const severities = (fallback: readonly Severity[], who: string) =>
  z
    .array(z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(", ")}` }), { error: "must be a list of severities" })
    .min(1, { error: `must list at least one of ${SEVERITIES.join(", ")}; to stop notifying ${who}, remove its settings` })
    .default([...fallback])
    .meta({ description: `Severities of alerts sent to ${who} (${SEVERITIES.join(", ")}); default ${fallback.join(", ")}.` });

const EMAIL = /^[^\s@,<>]+@[^\s@,<>]+\.[^\s@,<>]+$/;
const emailAddress = () =>
  z.string({ error: "must be an e-mail address" }).regex(EMAIL, { error: "must be an e-mail address such as alerts@example.com" });
/** host:port of an SMTP server, as Alertmanager's smarthost (the port is required). */
const smarthost = () =>
  z
    .string({ error: "must be host:port of an SMTP server" })
    .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):\d{1,5}$/, {
      error: "must be host:port of an SMTP server, e.g. smtp.example.com:587",
    });

const emailReceiver = () =>
  z
    .strictObject({
      smarthost: smarthost().meta({ description: "SMTP server as host:port, e.g. smtp.example.com:587." }),
      from: emailAddress().meta({ description: "Sender address of the alert e-mails." }),
      to: z
        .array(emailAddress(), { error: "must be a list of e-mail addresses" })
        .min(1, { error: "must list at least one e-mail address" })
        .meta({ description: "Recipient addresses." }),
      authUsername: nonEmpty("an SMTP user name")
        .optional()
        .meta({ description: "SMTP user name (with authPassword); unset = no SMTP authentication." }),
      authPassword: secretString("an SMTP password")
        .optional()
        .meta({ description: secretHelp("email.authPassword", "SMTP password of authUsername.") }),
      requireTls: bool().default(true).meta({ description: "Refuse to send unless the server offers STARTTLS (default true)." }),
      severities: severities(SEVERITIES, "the e-mail recipients"),
    })
    .superRefine((email, ctx) => {
      // Alertmanager authenticates with both or neither.
      if ((email.authUsername === undefined) !== (email.authPassword === undefined)) {
        const missing = email.authUsername === undefined ? "authUsername" : "authPassword";
        ctx.addIssue({
          code: "custom",
          path: [missing],
          input: undefined,
          message: "must be set together with authUsername and authPassword",
        });
      }
    });

/** Receiver settings: one optional block per integration. */
const receiversSchema = () =>
  z
    .strictObject({
      slack: z
        .strictObject({
          webhookUrl: secretUrl().meta({ description: secretHelp("slack.webhookUrl", "Slack incoming-webhook URL alerts are posted to.") }),
          channel: z
            .string({ error: "must be a Slack channel such as #alerts" })
            .optional()
            .meta({ description: "Slack channel to post to, e.g. #alerts; unset = the webhook's own channel." }),
          severities: severities(SEVERITIES, "Slack"),
        })
        .optional()
        .meta({ description: "Slack (incoming webhook)." }),
      pagerduty: z
        .strictObject({
          routingKey: secretString("a PagerDuty integration key").meta({
            description: secretHelp("pagerduty.routingKey", "Integration (routing) key of a PagerDuty Events API v2 integration."),
          }),
          severities: severities(["critical"], "PagerDuty"),
        })
        .optional()
        .meta({ description: "PagerDuty (Events API v2): pages someone; by default for critical alerts only." }),
      email: emailReceiver().optional().meta({ description: "E-mail through an SMTP server." }),
      webhook: z
        .strictObject({
          url: secretUrl().meta({ description: secretHelp("webhook.url", "URL every alert is POSTed to as JSON (Alertmanager webhook).") }),
          severities: severities(SEVERITIES, "the webhook"),
        })
        .optional()
        .meta({ description: "A generic webhook: Alertmanager's JSON payload, HTTP POST." }),
    })
    .meta({ description: "Where Alertmanager sends alerts, routed by severity; with none set it sends nothing." });
export type ReceiversConfig = z.infer<ReturnType<typeof receiversSchema>>;
/** The receiver integrations, in routing order. */
export const RECEIVER_KINDS = ["slack", "pagerduty", "email", "webhook"] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

export const prometheusSchema = () =>
  z
    .strictObject({
      enabled: bool().meta({ description: "Install the Prometheus chart (release prometheus); Grafana needs it." }),
      server: z
        .strictObject({
          retention: duration().meta({ description: "How long samples are kept, as a duration such as 30d." }),
          retentionSize: quantity("storage")
            .optional()
            .meta({ description: "Most disk the samples may use, e.g. 45Gi (keep it below the volume size); unset = no size limit." }),
          scrapeInterval: duration().meta({ description: "How often targets are scraped and rules evaluated, e.g. 30s." }),
          persistentVolume: persistence().meta({ description: "Volume of the time-series database." }),
          resources: resources().meta({ description: "CPU and memory of the Prometheus server." }),
        })
        .meta({ description: "The Prometheus server." }),
      alertmanager: z
        .strictObject({
          enabled: bool().meta({ description: "Run Alertmanager; without it the alerts show only in Prometheus." }),
          persistence: persistence().meta({ description: "Volume for silences and notification state." }),
          resources: resources().meta({ description: "CPU and memory of Alertmanager." }),
          receivers: receiversSchema(),
        })
        .meta({ description: "Alertmanager: groups the stack's alerts and notifies the receivers." }),
      kubeStateMetrics: z
        .strictObject({
          enabled: bool().meta({ description: "Run kube-state-metrics; the PodCrashLooping alert needs it." }),
          resources: resources().meta({ description: "CPU and memory of kube-state-metrics." }),
        })
        .meta({ description: "kube-state-metrics: the state of Kubernetes objects as metrics." }),
      configmapReload: z
        .strictObject({ resources: resources().meta({ description: "CPU and memory of the reloader sidecar." }) })
        .meta({ description: "The sidecar that reloads the Prometheus server when its configuration changes." }),
      nodeExporter: z
        .strictObject({
          enabled: bool().meta({
            description:
              "Run node-exporter on every node; it needs hostNetwork, hostPID and hostPath, so namespace.podSecurity.enforce privileged.",
          }),
        })
        .meta({ description: "prometheus-node-exporter: metrics of the nodes themselves." }),
      pushgateway: z
        .strictObject({ enabled: bool().meta({ description: "Run the Pushgateway." }) })
        .meta({ description: "The Pushgateway, for batch jobs that push their metrics." }),
      operator: z
        .strictObject({
          enabled: bool().meta({
            description:
              "Also create ServiceMonitors (the API, the PostgreSQL and Redis exporters) and a PrometheusRule with the alerts," +
              " and admit the operator's Prometheus through the NetworkPolicies; needs the monitoring.coreos.com CRDs.",
          }),
          labels: labelMap().meta({
            description:
              "Labels on the ServiceMonitors and the PrometheusRule that the operator's serviceMonitorSelector and ruleSelector" +
              " match, e.g. release: <kube-prometheus-stack release name>; null a key in the stack file to drop a default.",
          }),
          namespaceSelector: labelMap().meta({
            description: "Labels of the namespace the operator's Prometheus runs in (NetworkPolicies admit it); {} = any namespace.",
          }),
          podSelector: labelMap().meta({
            description: "Labels of the operator's Prometheus pods (NetworkPolicies admit them to the metrics ports); {} = any pod.",
          }),
        })
        .meta({ description: "Prometheus Operator mode: a Prometheus in another namespace scrapes the stack and evaluates its alerts." }),
      alerts: z
        .strictObject({
          errorRateThreshold: ratio().meta({
            description: "HighErrorRate fires above this share of API requests answered with 5xx (0 to 1: 0.05 = 5%).",
          }),
          latencyP95Seconds: z
            .preprocess(
              (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
              z.number({ error: "must be a number of seconds > 0" }).gt(0, { error: "must be a number of seconds > 0" }),
            )
            .meta({ description: "HighLatencyP95 fires when the 95th percentile of API request duration exceeds this many seconds." }),
          diskFreeRatio: ratio().meta({
            description: "LowDiskSpace fires when a volume claim has less than this share of its capacity free (0 to 1: 0.1 = 10%).",
          }),
          crashLoopRestarts: intAtLeast(1).meta({
            description: "PodCrashLooping fires when a container restarts at least this many times within crashLoopWindow.",
          }),
          crashLoopWindow: duration().meta({ description: "Window over which PodCrashLooping counts restarts, e.g. 15m." }),
          rateWindow: duration().meta({ description: "rate() window of the error-rate and latency alerts, e.g. 5m." }),
          for: duration().meta({ description: "How long a condition must hold before its alert fires, e.g. 5m." }),
        })
        .meta({ description: "Thresholds of the stack's alerts: HighErrorRate, HighLatencyP95, LowDiskSpace and PodCrashLooping." }),
      apiMetrics: z
        .strictObject({
          requestsTotal: metricName().meta({ description: "The API's counter of HTTP requests, e.g. http_requests_total." }),
          statusLabel: labelName().meta({ description: "Label of that counter holding the HTTP status code, e.g. status." }),
          durationHistogram: metricName().meta({
            description: "The API's histogram of request durations in seconds, named without its _bucket suffix.",
          }),
        })
        .meta({ description: "Names of the API's own metrics, which the alerts and the Grafana dashboards query." }),
      extraValues: extraValues("prometheus"),
    })
    .meta({ description: "Prometheus (prometheus-community chart): the server, Alertmanager, kube-state-metrics and the stack's alerts." });
export type PrometheusConfig = z.infer<ReturnType<typeof prometheusSchema>>;

export const grafanaSchema = () =>
  z
    .strictObject({
      enabled: bool().meta({ description: "Install Grafana; needs prometheus.enabled." }),
      adminUser: nonEmpty("a user name").meta({
        description: "Admin user name; the password is generated (output grafanaAdminPassword).",
      }),
      persistence: persistence().meta({ description: "Volume of Grafana's own database (users, preferences)." }),
      resources: resources().meta({ description: "CPU and memory of Grafana." }),
      sidecar: z
        .strictObject({ resources: resources().meta({ description: "CPU and memory of the sidecar." }) })
        .meta({ description: "The dashboard sidecar (k8s-sidecar) that loads the stack's dashboards from ConfigMaps." }),
      extraValues: extraValues("grafana"),
    })
    .meta({ description: "Grafana with Prometheus and TimescaleDB data sources and the stack's dashboards (grafana-community chart)." });
export type GrafanaConfig = z.infer<ReturnType<typeof grafanaSchema>>;

/** Code defaults of Prometheus, alert thresholds included. */
export const prometheusDefaults = {
  enabled: true,
  server: {
    retention: "30d",
    scrapeInterval: "30s",
    persistentVolume: { enabled: true, size: "50Gi" },
    resources: {
      requests: { memory: "1Gi", cpu: "250m", "ephemeral-storage": "64Mi" },
      limits: { memory: "2Gi", cpu: "1000m", "ephemeral-storage": "1Gi" },
    },
  },
  alertmanager: {
    enabled: true,
    persistence: { enabled: true, size: "2Gi" },
    resources: {
      requests: { memory: "64Mi", cpu: "25m", "ephemeral-storage": "16Mi" },
      limits: { memory: "128Mi", cpu: "100m", "ephemeral-storage": "128Mi" },
    },
    receivers: {},
  },
  kubeStateMetrics: {
    enabled: true,
    resources: {
      requests: { memory: "64Mi", cpu: "20m", "ephemeral-storage": "16Mi" },
      limits: { memory: "256Mi", cpu: "200m", "ephemeral-storage": "128Mi" },
    },
  },
  configmapReload: {
    resources: {
      requests: { memory: "16Mi", cpu: "5m", "ephemeral-storage": "8Mi" },
      limits: { memory: "64Mi", cpu: "50m", "ephemeral-storage": "64Mi" },
    },
  },
  nodeExporter: { enabled: false },
  pushgateway: { enabled: false },
  // kube-prometheus-stack's defaults: a Prometheus in namespace monitoring that selects objects by
  // the label release=<its release name>; its pods carry app.kubernetes.io/name=prometheus.
  operator: {
    enabled: false,
    labels: { release: "kube-prometheus-stack" },
    namespaceSelector: { "kubernetes.io/metadata.name": "monitoring" },
    podSelector: { "app.kubernetes.io/name": "prometheus" },
  },
  extraValues: {},
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

/** Code defaults of Grafana. */
export const grafanaDefaults = {
  enabled: true,
  extraValues: {},
  adminUser: "admin",
  persistence: { enabled: true, size: "10Gi" },
  resources: {
    requests: { memory: "128Mi", cpu: "100m", "ephemeral-storage": "64Mi" },
    limits: { memory: "256Mi", cpu: "500m", "ephemeral-storage": "1Gi" },
  },
  sidecar: {
    resources: {
      requests: { memory: "64Mi", cpu: "10m", "ephemeral-storage": "16Mi" },
      limits: { memory: "128Mi", cpu: "100m", "ephemeral-storage": "128Mi" },
    },
  },
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

/** The keys that configure each receiver integration (its required settings). */
const RECEIVER_KEYS_TO_SET: Record<ReceiverKind, string> = {
  slack: `${RECEIVERS_PATH}.slack.webhookUrl (secret)`,
  pagerduty: `${RECEIVERS_PATH}.pagerduty.routingKey (secret)`,
  email: `${RECEIVERS_PATH}.email.smarthost, .from and .to`,
  webhook: `${RECEIVERS_PATH}.webhook.url (secret)`,
};

/**
 * Why the stack's alerts would reach no one, naming the keys to set; undefined when Alertmanager
 * has a receiver, or when this stack runs no Prometheus of its own (operator mode: the
 * operator's Alertmanager routes the alerts).
 */
export function alertsReachNoOne(prometheus: Pick<PrometheusConfig, "enabled" | "alertmanager">): string | undefined {
  if (!prometheus.enabled) return undefined;
  const am = prometheus.alertmanager;
  const keys = RECEIVER_KINDS.map((kind) => RECEIVER_KEYS_TO_SET[kind]).join("; ");
  if (!am.enabled)
    return (
      "prometheus.alertmanager.enabled is false: alerts show only in Prometheus and notify no one;" +
      ` enable it and set a receiver: ${keys}`
    );
  if (RECEIVER_KINDS.some((kind) => am.receivers[kind] !== undefined)) return undefined;
  return `${RECEIVERS_PATH}: Alertmanager has no receiver, so alerts notify no one; set at least one: ${keys} (see docs/monitoring.md)`;
}

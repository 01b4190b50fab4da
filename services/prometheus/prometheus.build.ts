// Pure value builders for the prometheus-community `prometheus` chart (29.27.0): retention,
// storage, resources, restricted Pod Security contexts, the alert rules, Alertmanager receivers
// (by file reference to a Secret, never the URL itself) and image mirror / pull secret overrides.
import type * as pulumi from "@pulumi/pulumi";
import { ImagesConfig } from "../../platform/platform.settings";
import { parseQuantity } from "../../config/quantity";
import { PrometheusConfig } from "./prometheus.settings";
import { RECEIVER_KINDS, ReceiverKind, ReceiversConfig, Severity } from "./receivers.settings";
import { imageRegistry, mirrorRepository, pullSecretRefs } from "../../platform/images";
import { volumeValues } from "../../platform/persistence";
import { buildAlertRules } from "./alerts.build";
import { PROMETHEUS } from "./prometheus.contract";

/** Where the receivers Secret is mounted in the Alertmanager pod (outside /etc/alertmanager, the ConfigMap). */
const RECEIVER_SECRET_MOUNT = "/etc/alertmanager-secrets";
/** Keys of the receivers Secret, one per secret setting: each becomes a file under RECEIVER_SECRET_MOUNT. */
export const RECEIVER_KEYS = {
  slackWebhookUrl: "slack-api-url",
  pagerdutyRoutingKey: "pagerduty-routing-key",
  emailAuthPassword: "email-auth-password",
  webhookUrl: "webhook-url",
} as const;
type ReceiverSecret = keyof typeof RECEIVER_KEYS;
const secretFile = (key: ReceiverSecret) => `${RECEIVER_SECRET_MOUNT}/${RECEIVER_KEYS[key]}`;
/** The receiver every alert goes to when no route matches it: it notifies no one. */
const DEFAULT_RECEIVER = "default-receiver";

/** Restricted-PSS pod context (the chart's uid/gid, plus seccomp). */
const RESTRICTED_POD = {
  runAsUser: PROMETHEUS.uid,
  runAsGroup: PROMETHEUS.uid,
  runAsNonRoot: true,
  fsGroup: PROMETHEUS.uid,
  seccompProfile: { type: "RuntimeDefault" },
};
/** Restricted-PSS container context. */
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };

export interface PrometheusValuesArgs {
  readonly prometheus: PrometheusConfig;
  readonly images: ImagesConfig;
  /** The stack's namespace (alert rules select on it). */
  readonly namespace: string;
  /** Name of the Secret holding the receivers' secret settings; unset when no receiver is configured. */
  readonly receiversSecretName?: string;
}

/** Which receiver integrations are configured, in routing order. */
function configuredReceivers(prometheus: PrometheusConfig): ReceiverKind[] {
  const r = prometheus.alertmanager.receivers;
  return RECEIVER_KINDS.filter((kind) => r[kind] !== undefined);
}

/** The secret values of the configured receivers by Secret key (Pulumi secrets, never plain). */
export function receiverSecrets(prometheus: PrometheusConfig): Partial<Record<ReceiverSecret, pulumi.Output<string>>> {
  const r = prometheus.alertmanager.receivers;
  const all: Record<ReceiverSecret, pulumi.Output<string> | undefined> = {
    slackWebhookUrl: r.slack?.webhookUrl,
    pagerdutyRoutingKey: r.pagerduty?.routingKey,
    emailAuthPassword: r.email?.authPassword,
    webhookUrl: r.webhook?.url,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

/** A matcher for alerts of the given severities. */
function severityMatcher(severities: readonly Severity[]): string {
  return severities.length === 1 ? `severity="${severities[0]}"` : `severity=~"${severities.join("|")}"`;
}

/** One Alertmanager receiver per configured integration; every secret is read from a mounted file. */
function receiverEntries(receivers: ReceiversConfig): Record<ReceiverKind, Record<string, unknown> | undefined> {
  const { slack, pagerduty, email, webhook } = receivers;
  return {
    slack: slack && {
      slack_configs: [
        { api_url_file: secretFile("slackWebhookUrl"), ...(slack.channel ? { channel: slack.channel } : {}), send_resolved: true },
      ],
    },
    pagerduty: pagerduty && { pagerduty_configs: [{ routing_key_file: secretFile("pagerdutyRoutingKey"), send_resolved: true }] },
    email: email && {
      email_configs: [
        {
          to: email.to.join(", "),
          from: email.from,
          smarthost: email.smarthost,
          ...(email.authUsername ? { auth_username: email.authUsername, auth_password_file: secretFile("emailAuthPassword") } : {}),
          require_tls: email.requireTls,
          send_resolved: true,
        },
      ],
    },
    webhook: webhook && { webhook_configs: [{ url_file: secretFile("webhookUrl"), send_resolved: true }] },
  };
}

/**
 * alertmanager.yml: a receiver per configured integration and a route per receiver that matches
 * the severities it takes. Every route continues, so an alert reaches every receiver that takes
 * its severity; an alert no route takes ends at the default receiver, which notifies no one.
 */
function alertmanagerConfig(prometheus: PrometheusConfig): Record<string, unknown> {
  const receivers = prometheus.alertmanager.receivers;
  const entries = receiverEntries(receivers);
  const kinds = configuredReceivers(prometheus);
  return {
    receivers: [{ name: DEFAULT_RECEIVER }, ...kinds.map((kind) => ({ name: kind, ...entries[kind] }))],
    route: {
      receiver: DEFAULT_RECEIVER,
      group_by: ["alertname", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      ...(kinds.length > 0
        ? { routes: kinds.map((kind) => ({ receiver: kind, matchers: [severityMatcher(receivers[kind]!.severities)], continue: true })) }
        : {}),
    },
  };
}

/** Image overrides for a mirror registry; empty without one. */
function mirroredImages(images: ImagesConfig) {
  const mirror = images.registry;
  if (!mirror) return { server: {}, reloader: {}, alertmanager: {}, ksm: {}, nodeExporter: {}, pushgateway: {} };
  return {
    server: { image: { repository: mirrorRepository(mirror, PROMETHEUS.images.server) } },
    reloader: { image: { repository: mirrorRepository(mirror, PROMETHEUS.images.reloader) } },
    alertmanager: { image: { repository: mirrorRepository(mirror, PROMETHEUS.images.alertmanager) } },
    ksm: { image: { registry: imageRegistry(images, PROMETHEUS.registries.kubeStateMetrics) } },
    nodeExporter: { image: { registry: imageRegistry(images, PROMETHEUS.registries.nodeExporter) } },
    pushgateway: { image: { repository: mirrorRepository(mirror, PROMETHEUS.images.pushgateway) } },
  };
}

/** Share of the TSDB volume that blocks may fill: the WAL and the head block need the rest. */
const RETENTION_SHARE = 0.8;

/**
 * `retentionSize` in Prometheus' units (MB = 2^20 bytes): the configured size, or 80% of the
 * volume, so that old blocks are dropped before the volume fills whatever `retention` says.
 * Without a volume (emptyDir) only the time-based retention applies.
 */
function retentionSize(server: PrometheusConfig["server"]): { retentionSize?: string } {
  const configured = server.retentionSize ? parseQuantity(server.retentionSize) : undefined;
  const volume = server.persistentVolume.enabled ? parseQuantity(server.persistentVolume.size) : undefined;
  const bytes = configured ?? (volume !== undefined ? volume * RETENTION_SHARE : undefined);
  return bytes === undefined ? {} : { retentionSize: `${Math.floor(bytes / 2 ** 20)}MB` };
}

/** The Release values. Contains no secret: receiver URLs, keys and passwords are files from `receiversSecretName`. */
export function prometheusValues(args: PrometheusValuesArgs): Record<string, unknown> {
  const { prometheus: p, images } = args;
  const img = mirroredImages(images);
  const pullSecrets = pullSecretRefs(images);
  const mountSecrets = Object.keys(receiverSecrets(p)).length > 0;
  if (mountSecrets && !args.receiversSecretName) throw new Error("alertmanager receivers are configured but no receivers Secret was given");

  return {
    imagePullSecrets: pullSecrets,
    server: {
      ...img.server,
      retention: p.server.retention,
      ...retentionSize(p.server),
      global: { scrape_interval: p.server.scrapeInterval, evaluation_interval: p.server.scrapeInterval },
      persistentVolume: volumeValues(p.server.persistentVolume),
      resources: p.server.resources,
      securityContext: RESTRICTED_POD,
      containerSecurityContext: RESTRICTED_CONTAINER,
    },
    configmapReload: {
      prometheus: { ...img.reloader, resources: p.configmapReload.resources, containerSecurityContext: RESTRICTED_CONTAINER },
    },
    // Rules land in ConfigMap prometheus-server, /etc/config/alerting_rules.yml (already in rule_files).
    serverFiles: { "alerting_rules.yml": buildAlertRules({ prometheus: p, namespace: args.namespace }) },
    alertmanager: {
      enabled: p.alertmanager.enabled,
      ...img.alertmanager,
      imagePullSecrets: pullSecrets,
      persistence: volumeValues(p.alertmanager.persistence),
      resources: p.alertmanager.resources,
      // Alertmanager never calls the Kubernetes API: no token in its pod.
      automountServiceAccountToken: false,
      podSecurityContext: RESTRICTED_POD,
      securityContext: { runAsUser: PROMETHEUS.uid, runAsGroup: PROMETHEUS.uid, runAsNonRoot: true, ...RESTRICTED_CONTAINER },
      configmapReload: { securityContext: RESTRICTED_CONTAINER },
      // Alertmanager's own health endpoints (the chart probes "/" for both): /-/ready answers once
      // the configuration is loaded, /-/healthy while the process serves.
      livenessProbe: { httpGet: { path: "/-/healthy", port: "http" } },
      readinessProbe: { httpGet: { path: "/-/ready", port: "http" } },
      config: alertmanagerConfig(p),
      extraSecretMounts: mountSecrets
        ? [
            {
              name: "alertmanager-receivers",
              secretName: args.receiversSecretName,
              mountPath: RECEIVER_SECRET_MOUNT,
              subPath: "",
              readOnly: true,
            },
          ]
        : [],
    },
    // kube-state-metrics' defaults are already restricted-clean; PodCrashLooping needs it.
    "kube-state-metrics": {
      enabled: p.kubeStateMetrics.enabled,
      // Its metrics of Secrets and ConfigMaps are unused here, and collecting them means a cluster-wide
      // list/watch of every Secret (and ConfigMap data): excluded, the ClusterRole loses those rules.
      collectorsExclude: ["secrets", "configmaps"],
      ...img.ksm,
      imagePullSecrets: pullSecrets,
      resources: p.kubeStateMetrics.resources,
    },
    // Refused by config while the namespace enforces restricted/baseline (hostNetwork, hostPID, hostPath).
    "prometheus-node-exporter": { enabled: p.nodeExporter.enabled, ...img.nodeExporter, imagePullSecrets: pullSecrets },
    "prometheus-pushgateway": {
      enabled: p.pushgateway.enabled,
      ...img.pushgateway,
      imagePullSecrets: pullSecrets,
      securityContext: RESTRICTED_POD,
      containerSecurityContext: RESTRICTED_CONTAINER,
    },
  };
}

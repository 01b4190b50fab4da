// The stack's four alerts as Prometheus rule groups, built from the `prometheus` config section. Pure:
// the same groups feed the chart's serverFiles."alerting_rules.yml" and, behind
// prometheus.operator.enabled, a PrometheusRule object.
import { PrometheusConfig } from "./prometheus.settings";
import { API_NAME } from "../api";

interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: { readonly summary: string; readonly description: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: AlertRule[];
}

export interface AlertRuleArgs {
  /** Thresholds, windows and the API's metric names. */
  readonly prometheus: Pick<PrometheusConfig, "alerts" | "apiMetrics">;
  /** The stack's namespace: every rule looks only at series from it. */
  readonly namespace: string;
}

/** A PromQL number literal that round-trips the config value (no exponent notation). */
export function promNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(20).replace(/0+$/, "").replace(/\.$/, "") : text;
}

/** A PromQL string literal. */
export const promString = (value: string): string => JSON.stringify(value);

/**
 * Series of the API pods, by the pod label app.kubernetes.io/name as a metric label
 * (app_kubernetes_io_name): the chart's kubernetes-pods job copies pod labels into metric labels
 * (labelmap), and in operator mode the ServiceMonitors copy it (podTargetLabels).
 */
export function apiSelector(namespace: string, extra = ""): string {
  return `{namespace=${promString(namespace)}, app_kubernetes_io_name=${promString(API_NAME)}${extra ? `, ${extra}` : ""}}`;
}

/** PromQL expressions of the four alerts (exported for dashboards and tests). */
export function alertExpressions(
  args: AlertRuleArgs,
): Record<"HighErrorRate" | "HighLatencyP95" | "LowDiskSpace" | "PodCrashLooping", string> {
  const { alerts, apiMetrics } = args.prometheus;
  const ns = promString(args.namespace);
  const window = alerts.rateWindow;
  const requests = apiMetrics.requestsTotal;
  const errors = apiSelector(args.namespace, `${apiMetrics.statusLabel}=~"5.."`);
  return {
    HighErrorRate:
      `sum(rate(${requests}${errors}[${window}]))\n` +
      `  / sum(rate(${requests}${apiSelector(args.namespace)}[${window}]))\n` +
      `  > ${promNumber(alerts.errorRateThreshold)}`,
    HighLatencyP95:
      `histogram_quantile(0.95, sum by (le) (rate(${apiMetrics.durationHistogram}_bucket${apiSelector(args.namespace)}[${window}])))\n` +
      `  > ${promNumber(alerts.latencyP95Seconds)}`,
    // kubelet_volume_stats_* come from the kubelets (chart job kubernetes-nodes, on by default);
    // their namespace/persistentvolumeclaim labels name the PVC.
    LowDiskSpace:
      `kubelet_volume_stats_available_bytes{namespace=${ns}}\n` +
      `  / kubelet_volume_stats_capacity_bytes{namespace=${ns}}\n` +
      `  < ${promNumber(alerts.diskFreeRatio)}`,
    // kube-state-metrics series; the service-endpoints job honours their own namespace label.
    PodCrashLooping:
      `increase(kube_pod_container_status_restarts_total{namespace=${ns}}[${alerts.crashLoopWindow}]) >= ${alerts.crashLoopRestarts}\n` +
      `  or max_over_time(kube_pod_container_status_waiting_reason{namespace=${ns}, reason="CrashLoopBackOff"}[${window}]) >= 1`,
  };
}

/** The alerting rule groups (the content of alerting_rules.yml). */
export function buildAlertRules(args: AlertRuleArgs): { groups: RuleGroup[] } {
  const { alerts } = args.prometheus;
  const expr = alertExpressions(args);
  const pct = (ratio: number) => `${promNumber(Math.round(ratio * 10000) / 100)}%`;
  const rule = (alert: keyof typeof expr, severity: string, summary: string, description: string): AlertRule => ({
    alert,
    expr: expr[alert],
    for: alerts.for,
    labels: { severity, namespace: args.namespace },
    annotations: { summary, description },
  });
  return {
    groups: [
      {
        name: "ape-2026.api",
        rules: [
          rule(
            "HighErrorRate",
            "critical",
            "API 5xx error rate above " + pct(alerts.errorRateThreshold),
            `More than ${pct(alerts.errorRateThreshold)} of API requests in ${args.namespace} returned 5xx` +
              ` over the last ${alerts.rateWindow} (current: {{ $value | humanizePercentage }}).`,
          ),
          rule(
            "HighLatencyP95",
            "warning",
            `API p95 latency above ${promNumber(alerts.latencyP95Seconds)}s`,
            `The 95th percentile of API request duration in ${args.namespace} is {{ $value | humanizeDuration }}` +
              ` (threshold ${promNumber(alerts.latencyP95Seconds)}s over ${alerts.rateWindow}).`,
          ),
        ],
      },
      {
        name: "ape-2026.platform",
        rules: [
          rule(
            "LowDiskSpace",
            "warning",
            "PVC {{ $labels.persistentvolumeclaim }} has less than " + pct(alerts.diskFreeRatio) + " free",
            `Volume claim {{ $labels.persistentvolumeclaim }} in ${args.namespace} has {{ $value | humanizePercentage }}` +
              ` of its capacity free (threshold ${pct(alerts.diskFreeRatio)}).`,
          ),
          rule(
            "PodCrashLooping",
            "warning",
            "Pod {{ $labels.pod }} is crash looping",
            `Container {{ $labels.container }} of pod {{ $labels.pod }} in ${args.namespace} restarted at least` +
              ` ${alerts.crashLoopRestarts} times in ${alerts.crashLoopWindow} or is waiting in CrashLoopBackOff.`,
          ),
        ],
      },
    ],
  };
}

// "APE 2026 / API overview": traffic, errors and latency from the API's own metrics, replicas
// from kube-state-metrics, CPU and memory (cAdvisor) against the pods' requests.
import { PrometheusConfig, apiSelector, promString } from "../../prometheus";
import { baseDashboard, DashboardModel, query, singleStat, timeSeries } from "./common";

export interface ApiOverviewArgs {
  readonly namespace: string;
  /** The API Deployment's name (kube-state-metrics `deployment` label; pods are <name>-<hash>-<id>). */
  readonly deploymentName: string;
  readonly prometheus: Pick<PrometheusConfig, "alerts" | "apiMetrics">;
}

const API_OVERVIEW_UID = "ape-2026-api-overview";

export function apiOverviewDashboard(args: ApiOverviewArgs): DashboardModel {
  const { apiMetrics, alerts } = args.prometheus;
  const ns = promString(args.namespace);
  const sel = apiSelector(args.namespace);
  const errSel = apiSelector(args.namespace, `${apiMetrics.statusLabel}=~"5.."`);
  const pods = `namespace=${ns}, pod=~${promString(`${args.deploymentName}-[a-z0-9]+-[a-z0-9]+`)}`;
  const deployment = `namespace=${ns}, deployment=${promString(args.deploymentName)}`;
  const requests = `rate(${apiMetrics.requestsTotal}${sel}[$__rate_interval])`;
  const errorRatio = `sum(rate(${apiMetrics.requestsTotal}${errSel}[$__rate_interval])) / sum(${requests})`;
  const p95 = `histogram_quantile(0.95, sum by (le) (rate(${apiMetrics.durationHistogram}_bucket${sel}[$__rate_interval])))`;

  return baseDashboard(API_OVERVIEW_UID, "APE 2026 / API overview", ["api"])
    .withPanel(singleStat({ title: "Requests/s", unit: "reqps", queries: [query("A", `sum(${requests})`)] }, 0, 0))
    .withPanel(
      singleStat(
        { title: "5xx ratio", unit: "percentunit", threshold: alerts.errorRateThreshold, queries: [query("A", errorRatio)] },
        6,
        0,
      ),
    )
    .withPanel(singleStat({ title: "p95 latency", unit: "s", threshold: alerts.latencyP95Seconds, queries: [query("A", p95)] }, 12, 0))
    .withPanel(
      singleStat(
        {
          title: "Available replicas",
          unit: "short",
          queries: [query("A", `sum(kube_deployment_status_replicas_available{${deployment}})`)],
        },
        18,
        0,
      ),
    )
    .withPanel(
      timeSeries(
        {
          title: "Request rate by status",
          unit: "reqps",
          min: 0,
          queries: [query("A", `sum by (${apiMetrics.statusLabel}) (${requests})`, `{{${apiMetrics.statusLabel}}}`)],
        },
        0,
        4,
      ),
    )
    .withPanel(
      timeSeries(
        {
          title: "Error rate (5xx share)",
          unit: "percentunit",
          min: 0,
          threshold: alerts.errorRateThreshold,
          description: "Alert HighErrorRate fires above the red line.",
          queries: [query("A", errorRatio, "5xx share")],
        },
        12,
        4,
      ),
    )
    .withPanel(
      timeSeries(
        {
          title: "Latency",
          unit: "s",
          min: 0,
          threshold: alerts.latencyP95Seconds,
          description: "Alert HighLatencyP95 fires above the red line.",
          queries: [
            query("A", p95, "p95"),
            query(
              "B",
              `histogram_quantile(0.50, sum by (le) (rate(${apiMetrics.durationHistogram}_bucket${sel}[$__rate_interval])))`,
              "p50",
            ),
          ],
        },
        0,
        12,
      ),
    )
    .withPanel(
      timeSeries(
        {
          title: "Replicas",
          unit: "short",
          min: 0,
          queries: [
            query("A", `sum(kube_deployment_spec_replicas{${deployment}})`, "desired"),
            query("B", `sum(kube_deployment_status_replicas_available{${deployment}})`, "available"),
          ],
        },
        12,
        12,
      ),
    )
    .withPanel(
      timeSeries(
        {
          title: "CPU usage vs requests",
          unit: "short",
          min: 0,
          queries: [
            query("A", `sum by (pod) (rate(container_cpu_usage_seconds_total{${pods}, container!=""}[$__rate_interval]))`, "{{pod}} used"),
            query("B", `sum by (pod) (kube_pod_container_resource_requests{${pods}, resource="cpu"})`, "{{pod}} requested"),
          ],
        },
        0,
        20,
      ),
    )
    .withPanel(
      timeSeries(
        {
          title: "Memory working set vs requests",
          unit: "bytes",
          min: 0,
          queries: [
            query("A", `sum by (pod) (container_memory_working_set_bytes{${pods}, container!=""})`, "{{pod}} used"),
            query("B", `sum by (pod) (kube_pod_container_resource_requests{${pods}, resource="memory"})`, "{{pod}} requested"),
          ],
        },
        12,
        20,
      ),
    )
    .build();
}

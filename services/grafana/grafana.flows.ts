// Grafana's flows: it queries Prometheus and the database and watches dashboards through the
// Kubernetes API; Prometheus scrapes it.
import type { GrafanaConfig } from "./grafana.settings";
import { GRAFANA, grafanaPodLabels } from "./grafana.contract";
import { KUBERNETES_API, pods, PortRule, Rule, WorkloadFlows } from "../../platform/network";

const SERVER = "grafana";

/** What Grafana's flows need to know about the rest of the stack. */
export interface GrafanaPeers {
  /** How Grafana reaches Prometheus's query port; undefined when Prometheus does not run. */
  readonly prometheus?: PortRule;
  /** How Grafana reaches the database. */
  readonly database: PortRule;
}

export function grafanaFlows(cfg: Pick<GrafanaConfig, "enabled">, peers: GrafanaPeers): WorkloadFlows[] {
  if (!cfg.enabled) return [];
  const egress: Rule[] = [];
  if (peers.prometheus) egress.push(peers.prometheus);
  egress.push(peers.database);
  // The dashboard sidecar watches ConfigMaps/Secrets through the Kubernetes API.
  egress.push(KUBERNETES_API);
  return [
    {
      name: SERVER,
      pods: grafanaPodLabels(),
      ingress: peers.prometheus ? [{ peers: peers.prometheus.peers, ports: [GRAFANA.ports.grafana] }] : [],
      egress,
    },
  ];
}

/** Where Prometheus scrapes Grafana; undefined when Grafana does not run. */
export function grafanaMetricsTarget(cfg: Pick<GrafanaConfig, "enabled">): PortRule | undefined {
  return cfg.enabled ? { peers: [pods(SERVER)], ports: [GRAFANA.ports.grafana] } : undefined;
}

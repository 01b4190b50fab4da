// Prometheus's flows: the server scrapes the stack's metrics endpoints, its own parts, Grafana,
// the Kubernetes API and the kubelets, and answers Grafana's queries; Alertmanager takes the
// server's alerts and notifies outside; kube-state-metrics watches the Kubernetes API.
import type { PrometheusConfig } from "./prometheus.settings";
import type { OperatorPrometheus } from "./prometheus.decisions";
import { PROMETHEUS, prometheusPodLabels } from "./prometheus.contract";
import {
  cidrs,
  KUBELETS,
  KUBERNETES_API,
  OutsideDestinations,
  Peer,
  pods,
  podsInNamespace,
  PortRule,
  Rule,
  WorkloadFlows,
} from "../../platform/network";

const SERVER = "prometheus-server";
const ALERTMANAGER = "alertmanager";
const KUBE_STATE_METRICS = "kube-state-metrics";

/** What Prometheus's flows need to know about the rest of the stack. */
export interface PrometheusPeers {
  /** The metrics endpoints of the other services, in scrape order (the API's, the exporters', Neo4j's). */
  readonly targets: readonly PortRule[];
  /** Grafana's port when it runs: the server scrapes it, and Grafana queries the server. */
  readonly grafana?: PortRule;
  /** Where Alertmanager may notify (networkPolicy.alertmanagerEgress). */
  readonly notifications: OutsideDestinations;
}

type Settings = Pick<PrometheusConfig, "enabled" | "kubeStateMetrics" | "alertmanager">;

/** The port of an SMTP smarthost (host:port, validated by the config). */
const smtpPort = (smarthost: string): number => Number(smarthost.slice(smarthost.lastIndexOf(":") + 1));

/** Who scrapes the metrics ports: this namespace's Prometheus, and in operator mode the operator's from its namespace. */
export function metricsScrapers(cfg: Pick<PrometheusConfig, "enabled">, operator: OperatorPrometheus | undefined): Peer[] {
  return [...(cfg.enabled ? [pods(SERVER)] : []), ...(operator ? [podsInNamespace(operator.namespaceSelector, operator.podSelector)] : [])];
}

/** The server, Alertmanager and kube-state-metrics, each when it runs. */
export function prometheusFlows(cfg: Settings, peers: PrometheusPeers): WorkloadFlows[] {
  if (!cfg.enabled) return [];
  const ksm = cfg.kubeStateMetrics.enabled;
  const am = cfg.alertmanager.enabled;
  const server = pods(SERVER);
  const scrape: Rule[] = [...peers.targets];
  // kube-state-metrics' own metrics (its telemetry port) too: the endpoints discovery of the chart's
  // scrape job finds every port of the pod behind the annotated Service, not only the Service's.
  const ksmPorts = [PROMETHEUS.ports.kubeStateMetrics, PROMETHEUS.ports.kubeStateMetricsTelemetry];
  if (ksm) scrape.push({ peers: [pods(KUBE_STATE_METRICS)], ports: ksmPorts });
  if (am) scrape.push({ peers: [pods(ALERTMANAGER)], ports: [PROMETHEUS.ports.alertmanager] });
  if (peers.grafana) scrape.push(peers.grafana);
  // Service discovery and the kubernetes-api-servers job; kubernetes-nodes(-cadvisor) scrape kubelets directly.
  scrape.push(KUBERNETES_API, KUBELETS);
  const flows: WorkloadFlows[] = [
    {
      name: SERVER,
      pods: prometheusPodLabels("server"),
      ingress: peers.grafana ? [{ peers: peers.grafana.peers, ports: [PROMETHEUS.ports.server] }] : [],
      egress: scrape,
    },
  ];
  if (am) {
    const { cidrs: ranges, except, ports } = peers.notifications;
    // An e-mail receiver's smarthost is reached on its own port besides the configured ones.
    const email = cfg.alertmanager.receivers.email;
    const notify = email ? [smtpPort(email.smarthost)] : [];
    flows.push({
      name: ALERTMANAGER,
      pods: prometheusPodLabels("alertmanager"),
      ingress: [{ peers: [server], ports: [PROMETHEUS.ports.alertmanager] }],
      egress: [{ peers: [cidrs(ranges, except)], ports: [...new Set([...ports, ...notify])] }],
    });
  }
  if (ksm) {
    flows.push({
      name: KUBE_STATE_METRICS,
      pods: prometheusPodLabels("kubeStateMetrics"),
      ingress: [{ peers: [server], ports: ksmPorts }],
      egress: [KUBERNETES_API],
    });
  }
  return flows;
}

/** How Grafana reaches the server's query port; undefined when Prometheus does not run. */
export function prometheusQueryRule(cfg: Pick<PrometheusConfig, "enabled">): PortRule | undefined {
  return cfg.enabled ? { peers: [pods(SERVER)], ports: [PROMETHEUS.ports.server] } : undefined;
}

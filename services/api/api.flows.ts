// The API's flows: the ingress controller reaches its http port, the scrapers its metrics port;
// it reaches its data services, DNS and the configured destinations outside the cluster.
import type { ApiConfig } from "./api.settings";
import { API_NAME, apiSelectorLabels } from "./api.contract";
import { cidrs, INGRESS_CONTROLLER, OutsideDestinations, Peer, pods, PortRule, Rule, WorkloadFlows } from "../../platform/network";

type ApiPorts = Pick<ApiConfig, "ports" | "metrics">;

/** What the API's flows need to know about the rest of the stack. */
export interface ApiPeers {
  /** An Ingress routes outside traffic to the API through the ingress controller. */
  readonly ingress: boolean;
  /** Who scrapes metrics ports (the namespace's Prometheus, an operator's); empty when no one does. */
  readonly scrapers: readonly Peer[];
  /** How the API reaches its data services, in order: PostgreSQL, Redis and Neo4j when the stack has one. */
  readonly dataServices: readonly PortRule[];
  /** Its calls outside the cluster, such as AI APIs (networkPolicy.apiEgress). */
  readonly outside: OutsideDestinations;
}

export function apiFlows(api: ApiPorts, peers: ApiPeers): WorkloadFlows[] {
  const ingress: Rule[] = [];
  if (peers.ingress) ingress.push({ peers: [INGRESS_CONTROLLER], ports: [api.ports.http] });
  if (api.metrics.enabled && peers.scrapers.length) ingress.push({ peers: peers.scrapers, ports: [api.ports.metrics] });
  const { outside } = peers;
  return [
    {
      name: API_NAME,
      pods: apiSelectorLabels(),
      ingress,
      egress: [...peers.dataServices, { peers: [cidrs(outside.cidrs, outside.except)], ports: outside.ports }],
    },
  ];
}

/** Where Prometheus scrapes the API: its metrics port; undefined when the API serves no metrics. */
export function apiMetricsTarget(api: ApiPorts): PortRule | undefined {
  return api.metrics.enabled ? { peers: [pods(API_NAME)], ports: [api.ports.metrics] } : undefined;
}

// Neo4j's flows: the API reaches it over bolt; the members of an Enterprise cluster talk to each
// other and to the Kubernetes API, and the namespace's Prometheus scrapes their metrics.
import type { Neo4jConfig } from "./neo4j.settings";
import type { Neo4jPlacement } from "./neo4j.decisions";
import { NEO4J, neo4jPodLabels } from "./neo4j.contract";
import { EXTERNAL_DATA, KUBERNETES_API, pods, PortRule, Rule, WorkloadFlows } from "../../platform/network";

const SERVER = "neo4j";

/** What Neo4j's flows need to know about the rest of the stack. */
export interface Neo4jPeers {
  /** Prometheus runs in the namespace (an operator's Prometheus gets no ServiceMonitor for Neo4j). */
  readonly prometheus: boolean;
}

type Settings = Pick<Neo4jConfig, "edition">;

/** The chart's pods; none for an external Neo4j or none at all. */
export function neo4jFlows(cfg: Settings, placement: Neo4jPlacement | undefined, peers: Neo4jPeers): WorkloadFlows[] {
  if (!placement?.inCluster) return [];
  const p = NEO4J.ports;
  const ingress: Rule[] = [{ peers: [pods("api")], ports: [p.bolt] }];
  const egress: Rule[] = [];
  if (cfg.edition === "enterprise") {
    const members: PortRule = { peers: [pods(SERVER)], ports: [p.discovery, p.transaction, p.raft, p.routing, p.bolt] };
    ingress.push(members);
    egress.push(members);
    // Members find each other through the Kubernetes API (the chart's K8S discovery resolver).
    egress.push(KUBERNETES_API);
    if (peers.prometheus) ingress.push({ peers: [pods("prometheus-server")], ports: [p.metrics] });
  }
  return [{ name: SERVER, pods: neo4jPodLabels(), ingress, egress }];
}

/** How a client reaches Neo4j: the chart's pods over bolt, or the external one's port; undefined without Neo4j. */
export function neo4jClientRule(placement: Neo4jPlacement | undefined): PortRule | undefined {
  if (!placement) return undefined;
  return placement.inCluster
    ? { peers: [pods(SERVER)], ports: [NEO4J.ports.bolt] }
    : { peers: [EXTERNAL_DATA], ports: [placement.external.port] };
}

/** Where Prometheus scrapes Neo4j: only Enterprise has a metrics endpoint, Community exposes none. */
export function neo4jMetricsTarget(cfg: Settings, placement: Neo4jPlacement | undefined): PortRule | undefined {
  return placement?.inCluster && cfg.edition === "enterprise" ? { peers: [pods(SERVER)], ports: [NEO4J.ports.metrics] } : undefined;
}

// Facts of Neo4j's official chart (`neo4j` from https://helm.neo4j.com/neo4j, 5.26.x) that this
// program relies on: release and Service names, ports, pod labels, the auth Secret's key and value
// format, the image. The component, its values builder, the NetworkPolicies and the tests read
// them from here, so a change is one edit.
import type { Neo4jConfig } from "./neo4j.settings";

export const NEO4J = {
  /**
   * Release name of the standalone (Community) server: the chart names its StatefulSet and client
   * Service after the release, so the Service is `neo4j`.
   */
  release: "neo4j",
  /**
   * The chart's `neo4j.name`: the cluster's identity. Every member of an Enterprise cluster carries
   * it, and the chart's Kubernetes discovery selects peers by it. Never change it on a live stack.
   */
  name: "neo4j",
  /** Primaries of an Enterprise cluster: one release (and StatefulSet of one pod) per server. */
  clusterSize: 3,
  /** Pod ports (NetworkPolicies see pod ports). */
  ports: {
    bolt: 7687,
    http: 7474,
    /** Online backup (Enterprise only). */
    backup: 6362,
    /** Prometheus endpoint (Enterprise only, when metrics are switched on). */
    metrics: 2004,
    /** Between Enterprise cluster members: discovery, transactions (and discovery v2), Raft, server-side routing. */
    discovery: 5000,
    transaction: 6000,
    raft: 7000,
    routing: 7688,
  },
  /** Path of the Prometheus endpoint. */
  metricsPath: "/metrics",
  /**
   * The credentials Secret this program creates; the chart mounts it (neo4j.passwordFromSecret) and
   * the image sets the initial password from key NEO4J_AUTH, whose value is "neo4j/<password>".
   * `password` holds the bare password for clients (the API's NEO4J_PASSWORD).
   */
  secret: { name: "neo4j-auth", authKey: "NEO4J_AUTH", passwordKey: "password" },
  /** The admin user the chart's initial password is set for. */
  username: "neo4j",
  /** uid/gid of the neo4j user in the official image. */
  uid: 7474,
  /**
   * The official image on Docker Hub (docker.io/library/neo4j). The chart runs
   * neo4j:<appVersion> (Community) or neo4j:<appVersion>-enterprise; for the 5.26 line the
   * appVersion equals the chart version.
   */
  images: { registry: "docker.io", repository: "neo4j", enterpriseSuffix: "-enterprise" },
} as const;

/** The value of the Secret key NEO4J_AUTH that the image reads: "neo4j/<password>". */
export const neo4jAuth = (password: string): string => `${NEO4J.username}/${password}`;

/** The Helm releases: one for Community, one per primary (neo4j-1 .. neo4j-3) for an Enterprise cluster. */
export function neo4jReleaseNames(edition: Neo4jConfig["edition"]): string[] {
  return edition === "enterprise" ? Array.from({ length: NEO4J.clusterSize }, (_, i) => `${NEO4J.release}-${i + 1}`) : [NEO4J.release];
}

/**
 * Labels on every Neo4j server pod (Community and each cluster member), from the chart's
 * StatefulSet template: the cluster identity and the chart's pod category.
 */
export function neo4jPodLabels(): Record<string, string> {
  return { "helm.neo4j.com/neo4j.name": NEO4J.name, "helm.neo4j.com/pod_category": "neo4j-instance" };
}

/**
 * The Service clients connect to, `neo4j` in both editions: the chart's own client Service of the
 * standalone release, or for a cluster the Service this program adds in front of all members.
 */
export const NEO4J_CLIENT_SERVICE = "neo4j";

/** The bolt URI of a Service in the namespace: bolt+s:// (TLS, the certificate verified) when `tls`. */
export function neo4jBoltUri(namespace: string, service: string = NEO4J_CLIENT_SERVICE, tls = false): string {
  return `${tls ? "bolt+s" : "bolt"}://${service}.${namespace}.svc.cluster.local:${NEO4J.ports.bolt}`;
}

/**
 * The Services whose names the Neo4j certificate covers: the client Service and, per release, the
 * chart's own Service and its admin Service.
 */
export function neo4jTlsServices(edition: Neo4jConfig["edition"]): string[] {
  const releases = neo4jReleaseNames(edition);
  return [...new Set([NEO4J_CLIENT_SERVICE, ...releases, ...releases.map((r) => `${r}-admin`)])];
}

// Whether and where the stack has Neo4j, decided once from the `neo4j` section: the chart in the
// namespace, an external Neo4j, or none. The stack, the endpoint and the NetworkPolicies read
// this value instead of the section's switches.
import type { Neo4jConfig } from "./neo4j.settings";

/** neo4j.external: host, port, scheme, user and the Secret with the password. */
export type ExternalNeo4j = NonNullable<Neo4jConfig["external"]>;

/** The chart in the namespace, or the external Neo4j (neo4j.enabled false, neo4j.external set). */
export type Neo4jPlacement = { readonly inCluster: true } | { readonly inCluster: false; readonly external: ExternalNeo4j };

/** undefined: the stack has no Neo4j (neo4j.enabled false and no neo4j.external). */
export function neo4jPlacement(cfg: Pick<Neo4jConfig, "enabled" | "external">): Neo4jPlacement | undefined {
  if (cfg.enabled) return { inCluster: true };
  return cfg.external ? { inCluster: false, external: cfg.external } : undefined;
}

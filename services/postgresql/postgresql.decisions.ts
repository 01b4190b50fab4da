// Where the stack's PostgreSQL runs, decided once from the `postgresql` section: the chart in the
// namespace, or the external database. The stack, the endpoint, the NetworkPolicies and the
// monitoring of its exporter all read this value instead of the section's switches.
import type { PostgresqlConfig } from "./postgresql.settings";

/** postgresql.external: host, port, database, user and the Secret with the password. */
export type ExternalPostgresql = NonNullable<PostgresqlConfig["external"]>;

/** The chart in the namespace, or the external database (postgresql.enabled false). */
export type PostgresqlPlacement = { readonly inCluster: true } | { readonly inCluster: false; readonly external: ExternalPostgresql };

export function postgresqlPlacement(cfg: Pick<PostgresqlConfig, "enabled" | "external">): PostgresqlPlacement {
  if (cfg.enabled) return { inCluster: true };
  // The section's schema refuses this already; the check keeps the type honest.
  if (!cfg.external) throw new Error("postgresql.external: must be set when postgresql.enabled is false");
  return { inCluster: false, external: cfg.external };
}

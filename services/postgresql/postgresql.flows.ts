// PostgreSQL's flows: its clients are the API and Grafana; the scrapers reach only the exporter;
// read replicas and the primary talk to each other; the backup job connects like a client.
import type { PostgresqlConfig } from "./postgresql.settings";
import type { PostgresqlPlacement } from "./postgresql.decisions";
import { POSTGRESQL, postgresqlBackupPodLabels, postgresqlPodLabels, postgresqlRolesPodLabels } from "./postgresql.contract";
import { EXTERNAL_DATA, Peer, pods, PortRule, Rule, WorkloadFlows } from "../../platform/network";

const SERVER = "postgresql";
const BACKUP = "postgresql-backup";
const ROLES = "postgresql-roles";

/** What PostgreSQL's flows need to know about the rest of the stack. */
export interface PostgresqlPeers {
  /** Grafana runs (and queries the database). */
  readonly grafana: boolean;
  /** Who scrapes metrics ports; empty when no one does. */
  readonly scrapers: readonly Peer[];
  /** The Jobs that create read-only roles run (roles.build.ts). */
  readonly roles: boolean;
}

type Settings = Pick<PostgresqlConfig, "architecture" | "metrics" | "backup">;

/** The chart's pods and the backup job's; none for an external database. */
export function postgresqlFlows(cfg: Settings, placement: PostgresqlPlacement, peers: PostgresqlPeers): WorkloadFlows[] {
  if (!placement.inCluster) return [];
  const port = [POSTGRESQL.ports.postgresql];
  const server = pods(SERVER);
  const ingress: Rule[] = [{ peers: [pods("api"), ...(peers.grafana ? [pods("grafana")] : [])], ports: port }];
  const egress: Rule[] = [];
  const flows: WorkloadFlows[] = [];
  if (cfg.metrics.enabled && peers.scrapers.length) ingress.push({ peers: peers.scrapers, ports: [POSTGRESQL.ports.exporter] });
  if (cfg.architecture === "replication") {
    // Streaming replication: read replicas connect to the primary; allowed both ways for failover tooling.
    ingress.push({ peers: [server], ports: port });
    egress.push({ peers: [server], ports: port });
  }
  if (cfg.backup.enabled) {
    // The backup job's pods carry the release's labels (the server's policy selects them too) and
    // connect to the server like a client.
    ingress.push({ peers: [pods(BACKUP)], ports: port });
    flows.push({ name: BACKUP, pods: postgresqlBackupPodLabels(), egress: [{ peers: [server], ports: port }] });
  }
  if (peers.roles) {
    // The role Jobs connect as the superuser to apply a role's password and grants.
    ingress.push({ peers: [pods(ROLES)], ports: port });
    flows.push({ name: ROLES, pods: postgresqlRolesPodLabels(), ingress: [], egress: [{ peers: [server], ports: port }] });
  }
  flows.push({ name: SERVER, pods: postgresqlPodLabels(), ingress, egress });
  return flows;
}

/** How a client reaches the database: the chart's pods, or the external one's port in networkPolicy.externalData. */
export function postgresqlClientRule(placement: PostgresqlPlacement): PortRule {
  return placement.inCluster
    ? { peers: [pods(SERVER)], ports: [POSTGRESQL.ports.postgresql] }
    : { peers: [EXTERNAL_DATA], ports: [placement.external.port] };
}

/** Where Prometheus scrapes the exporter; undefined when none runs in the namespace. */
export function postgresqlMetricsTarget(cfg: Settings, placement: PostgresqlPlacement): PortRule | undefined {
  return placement.inCluster && cfg.metrics.enabled ? { peers: [pods(SERVER)], ports: [POSTGRESQL.ports.exporter] } : undefined;
}

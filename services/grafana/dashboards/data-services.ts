// "APE 2026 / Data services": PostgreSQL (postgres_exporter, scraped through the annotated
// postgresql-metrics Service) and Redis (redis_exporter, scraped through pod annotations).
import { promString } from "../../prometheus";
import { baseDashboard, DashboardModel, query, singleStat, timeSeries } from "./common";

export interface DataServicesArgs {
  readonly namespace: string;
  /** The application database (pg_stat_database `datname`). */
  readonly database: string;
}

const DATA_SERVICES_UID = "ape-2026-data-services";

export function dataServicesDashboard(args: DataServicesArgs): DashboardModel {
  const ns = `namespace=${promString(args.namespace)}`;
  const db = `${ns}, datname=${promString(args.database)}`;
  const rate = (metric: string, sel: string) => `rate(${metric}{${sel}}[$__rate_interval])`;

  return baseDashboard(DATA_SERVICES_UID, "APE 2026 / Data services", ["postgresql", "redis"])
    .withPanel(singleStat({ title: "PostgreSQL up", unit: "short", queries: [query("A", `min(pg_up{${ns}})`)] }, 0, 0))
    .withPanel(singleStat({ title: "Database size", unit: "bytes", queries: [query("A", `sum(pg_database_size_bytes{${db}})`)] }, 6, 0))
    .withPanel(singleStat({ title: "Redis up", unit: "short", queries: [query("A", `min(redis_up{${ns}})`)] }, 12, 0))
    .withPanel(
      singleStat({ title: "Redis memory used", unit: "bytes", queries: [query("A", `max(redis_memory_used_bytes{${ns}})`)] }, 18, 0),
    )
    .withPanel(
      timeSeries(
        {
          title: "PostgreSQL connections",
          unit: "short",
          min: 0,
          queries: [
            query("A", `sum by (datname) (pg_stat_database_numbackends{${ns}})`, "{{datname}}"),
            query("B", `max(pg_settings_max_connections{${ns}})`, "max_connections"),
          ],
        },
        0,
        4,
      ),
    )
    .withPanel(
      timeSeries(
        {
          title: "PostgreSQL transactions/s",
          unit: "ops",
          min: 0,
          queries: [
            query("A", `sum(${rate("pg_stat_database_xact_commit", db)})`, "commits"),
            query("B", `sum(${rate("pg_stat_database_xact_rollback", db)})`, "rollbacks"),
          ],
        },
        12,
        4,
      ),
    )
    .withPanel(
      timeSeries(
        {
          title: "PostgreSQL cache hit ratio",
          unit: "percentunit",
          min: 0,
          max: 1,
          queries: [
            query(
              "A",
              `sum(${rate("pg_stat_database_blks_hit", db)})` +
                ` / (sum(${rate("pg_stat_database_blks_hit", db)}) + sum(${rate("pg_stat_database_blks_read", db)}))`,
              "hit ratio",
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
          title: "PostgreSQL database size",
          unit: "bytes",
          min: 0,
          queries: [query("A", `sum by (datname) (pg_database_size_bytes{${ns}})`, "{{datname}}")],
        },
        12,
        12,
      ),
    )
    .withPanel(
      timeSeries(
        {
          title: "Redis commands/s",
          unit: "ops",
          min: 0,
          queries: [query("A", `sum by (pod) (rate(redis_commands_processed_total{${ns}}[$__rate_interval]))`, "{{pod}}")],
        },
        0,
        20,
      ),
    )
    .withPanel(
      timeSeries(
        {
          title: "Redis clients and replication",
          unit: "short",
          min: 0,
          queries: [
            query("A", `sum by (pod) (redis_connected_clients{${ns}})`, "{{pod}} clients"),
            query("B", `sum by (pod) (redis_connected_slaves{${ns}})`, "{{pod}} replicas"),
          ],
        },
        12,
        20,
      ),
    )
    .withPanel(
      timeSeries(
        {
          title: "Redis keyspace hit ratio",
          unit: "percentunit",
          min: 0,
          max: 1,
          queries: [
            query(
              "A",
              `sum(rate(redis_keyspace_hits_total{${ns}}[$__rate_interval]))` +
                ` / (sum(rate(redis_keyspace_hits_total{${ns}}[$__rate_interval]))` +
                ` + sum(rate(redis_keyspace_misses_total{${ns}}[$__rate_interval])))`,
              "hit ratio",
            ),
          ],
        },
        0,
        28,
      ),
    )
    .withPanel(
      timeSeries(
        {
          title: "Redis memory",
          unit: "bytes",
          min: 0,
          queries: [
            query("A", `sum by (pod) (redis_memory_used_bytes{${ns}})`, "{{pod}} used"),
            query("B", `max(redis_memory_max_bytes{${ns}}) > 0`, "maxmemory"),
          ],
        },
        12,
        28,
      ),
    )
    .build();
}

// PostgreSQL with TimescaleDB (`ape:data`): the pinned Bitnami chart or an external database,
// and what its consumers read (endpoint, contract, flows).
export { extendedConfiguration } from "./postgresql.build";
export {
  POSTGRESQL,
  postgresqlMetricsService,
  postgresqlPodLabels,
  postgresqlServiceName,
  postgresqlTlsServices,
} from "./postgresql.contract";
export { PostgresqlPlacement, postgresqlPlacement } from "./postgresql.decisions";
export { DatabaseEndpoint, ResolvedDatabase, resolveDatabase } from "./postgresql.endpoint";
export { postgresqlClientRule, postgresqlFlows, postgresqlMetricsTarget } from "./postgresql.flows";
export { postgresqlSchema } from "./postgresql.settings";
export { Postgresql, externalDatabaseEndpoint } from "./postgresql";

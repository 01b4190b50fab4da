// The data domain (`ape:data`): PostgreSQL (TimescaleDB) and Redis as pinned Bitnami charts, Neo4j
// through its official chart, or external endpoints, and the endpoint types their consumers read.
export {
  DatabaseEndpoint,
  Neo4jEndpoint,
  RedisEndpoint,
  ResolvedDatabase,
  ResolvedNeo4j,
  ResolvedRedis,
  resolveDatabase,
  resolveNeo4j,
  resolveRedis,
  SecretKeyRef,
} from "./endpoints";
export { externalDatabaseEndpoint, Postgresql } from "./postgresql";
export { MetricsService, POSTGRESQL, postgresqlMetricsService, postgresqlPodLabels, postgresqlServiceName } from "./postgresql.contract";
export { externalRedisEndpoint, Redis } from "./redis";
export { REDIS, redisAddress, RedisAddress, redisMetricsService, redisPodLabels } from "./redis.contract";
export { extendedConfiguration, postgresqlValues } from "./postgresql.build";
export { redisValues } from "./redis.build";
export { externalNeo4jEndpoint, Neo4j } from "./neo4j";
export { NEO4J, NEO4J_CLIENT_SERVICE, neo4jAuth, neo4jBoltUri, neo4jPodLabels, neo4jReleaseNames } from "./neo4j.contract";
export { neo4jSettings, neo4jValues } from "./neo4j.build";

// The data domain (`ape:data`): PostgreSQL (TimescaleDB) and Redis as pinned Bitnami charts, or
// external endpoints, and the endpoint types their consumers read.
export { DatabaseEndpoint, RedisEndpoint, ResolvedDatabase, ResolvedRedis, resolveDatabase, resolveRedis, SecretKeyRef } from "./endpoints";
export { externalDatabaseEndpoint, Postgresql } from "./postgresql";
export { MetricsService, POSTGRESQL, postgresqlMetricsService, postgresqlPodLabels, postgresqlServiceName } from "./postgresql.contract";
export { externalRedisEndpoint, Redis } from "./redis";
export { REDIS, redisAddress, RedisAddress, redisMetricsService, redisPodLabels } from "./redis.contract";
export { extendedConfiguration, postgresqlValues } from "./postgresql.build";
export { redisValues } from "./redis.build";

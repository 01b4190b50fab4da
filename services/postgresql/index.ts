// The data domain (`ape:data`): PostgreSQL (TimescaleDB) and Redis as pinned Bitnami charts, Neo4j
// through its official chart, or external endpoints, and the endpoint types their consumers read.
export { DatabaseEndpoint, Neo4jEndpoint, RedisEndpoint, resolveDatabase, resolveNeo4j, resolveRedis } from "../../platform/endpoints";
export { externalDatabaseEndpoint, Postgresql } from "./postgresql";
export { POSTGRESQL, postgresqlMetricsService, postgresqlPodLabels, postgresqlServiceName } from "./postgresql.contract";
export { externalRedisEndpoint, Redis } from "../redis/redis";
export { REDIS, redisMetricsService, redisPodLabels } from "../redis/redis.contract";
export { extendedConfiguration } from "./postgresql.build";
export { externalNeo4jEndpoint, Neo4j } from "../neo4j/neo4j";
export { NEO4J, neo4jPodLabels } from "../neo4j/neo4j.contract";
export { neo4jSettings } from "../neo4j/neo4j.build";

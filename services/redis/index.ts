// Redis (`ape:data`): the pinned Bitnami chart (standalone, replication or Sentinel) or an
// external Redis, and what its consumers read (endpoint, contract, flows).
export { REDIS, redisMetricsService, redisPodLabels, redisTlsNames } from "./redis.contract";
export { RedisPlacement, redisMode, redisPlacement } from "./redis.decisions";
export { RedisEndpoint, ResolvedRedis, resolveRedis } from "./redis.endpoint";
export { redisClientRule, redisFlows, redisMetricsTarget } from "./redis.flows";
export { redisSchema } from "./redis.settings";
export { Redis, externalRedisEndpoint } from "./redis";

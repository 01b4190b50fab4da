// Where the stack's Redis runs and how clients find its master, decided once from the `redis`
// section: the chart in the namespace or an external Redis, each standalone or behind Sentinel.
// The chart values, the component's endpoint, the external endpoint, the NetworkPolicies and the
// stack read these values; nothing else reads redis.sentinel or redis.external.sentinel to decide.
import type { RedisConfig } from "./redis.settings";
import type { RedisEndpoint } from "./redis.endpoint";
import { REDIS } from "./redis.contract";

/**
 * sentinel: clients ask the sentinels for the master; standalone: they connect to one address
 * (a single Redis, or the master of a replication without Sentinel).
 */
export type RedisMode = RedisEndpoint["mode"];

/** redis.external: host, port, the Secret with the password, the sentinels. */
type ExternalRedis = NonNullable<RedisConfig["external"]>;

/** The sentinels of an external Redis, with their port resolved. */
interface ExternalSentinels {
  readonly hosts: string[];
  readonly port: number;
  readonly masterSet: string;
}

/**
 * The chart in the namespace, or the external Redis (redis.enabled false) with its sentinels when
 * it runs behind Sentinel.
 */
export type RedisPlacement =
  | { readonly inCluster: true; readonly mode: RedisMode }
  | { readonly inCluster: false; readonly mode: RedisMode; readonly external: ExternalRedis; readonly sentinels?: ExternalSentinels };

/** An external Redis's placement: what its endpoint is built from. */
export type ExternalRedisPlacement = Extract<RedisPlacement, { inCluster: false }>;

/** The switches the mode is read from (a RedisConfig has them; so does the safety floor's view of the section). */
interface ModeSwitches {
  readonly enabled: boolean;
  readonly sentinel: { readonly enabled: boolean };
  readonly external?: { readonly sentinel?: unknown };
}

/** Sentinel or standalone: redis.sentinel.enabled for the chart's Redis, redis.external.sentinel for an external one. */
export function redisMode(cfg: ModeSwitches): RedisMode {
  const sentinel = cfg.enabled ? cfg.sentinel.enabled : cfg.external?.sentinel !== undefined;
  return sentinel ? "sentinel" : "standalone";
}

export function redisPlacement(cfg: Pick<RedisConfig, "enabled" | "sentinel" | "external">): RedisPlacement {
  const mode = redisMode(cfg);
  if (cfg.enabled) return { inCluster: true, mode };
  const external = cfg.external;
  // The section's schema refuses this already; the check keeps the type honest.
  if (!external) throw new Error("redis.external: must be set when redis.enabled is false");
  const s = external.sentinel;
  const sentinels = mode === "sentinel" && s ? { hosts: s.hosts, port: s.port ?? REDIS.ports.sentinel, masterSet: s.masterSet } : undefined;
  return { inCluster: false, mode, external, ...(sentinels ? { sentinels } : {}) };
}

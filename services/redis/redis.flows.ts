// Redis's flows: the API is its client (on Sentinel's port too with Sentinel); the scrapers reach
// only the exporter; with replication the nodes replicate and gossip among themselves.
import type { RedisConfig } from "./redis.settings";
import type { RedisMode, RedisPlacement } from "./redis.decisions";
import { REDIS, redisPodLabels } from "./redis.contract";
import { EXTERNAL_DATA, Peer, pods, PortRule, Rule, WorkloadFlows } from "../../platform/network";

const SERVER = "redis";

/** What Redis's flows need to know about the rest of the stack. */
export interface RedisPeers {
  /** Who scrapes metrics ports; empty when no one does. */
  readonly scrapers: readonly Peer[];
}

type Settings = Pick<RedisConfig, "architecture" | "metrics">;

/** The ports a client of the chart's Redis uses. */
const clientPorts = (mode: RedisMode): number[] => (mode === "sentinel" ? [REDIS.ports.redis, REDIS.ports.sentinel] : [REDIS.ports.redis]);

/** The chart's pods; none for an external Redis. */
export function redisFlows(cfg: Settings, placement: RedisPlacement, peers: RedisPeers): WorkloadFlows[] {
  if (!placement.inCluster) return [];
  const ports = clientPorts(placement.mode);
  const server = pods(SERVER);
  const ingress: Rule[] = [{ peers: [pods("api")], ports }];
  const egress: Rule[] = [];
  if (cfg.metrics.enabled && peers.scrapers.length) ingress.push({ peers: peers.scrapers, ports: [REDIS.ports.exporter] });
  if (cfg.architecture === "replication") {
    ingress.push({ peers: [server], ports });
    egress.push({ peers: [server], ports });
  }
  return [{ name: SERVER, pods: redisPodLabels(), ingress, egress }];
}

/** How a client reaches Redis: the chart's pods, or the external one's ports in networkPolicy.externalData. */
export function redisClientRule(placement: RedisPlacement): PortRule {
  if (placement.inCluster) return { peers: [pods(SERVER)], ports: clientPorts(placement.mode) };
  const { external, sentinels } = placement;
  return { peers: [EXTERNAL_DATA], ports: sentinels ? [external.port, sentinels.port] : [external.port] };
}

/** Where Prometheus scrapes the exporter; undefined when none runs in the namespace. */
export function redisMetricsTarget(cfg: Settings, placement: RedisPlacement): PortRule | undefined {
  return placement.inCluster && cfg.metrics.enabled ? { peers: [pods(SERVER)], ports: [REDIS.ports.exporter] } : undefined;
}

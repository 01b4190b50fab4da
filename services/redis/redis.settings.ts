// `redis`: the Redis release (Bitnami chart, Sentinel in production) or an external Redis.
import { z } from "zod";
import { extraValues } from "../../config/extra-values";
import { exporterMetrics } from "../../platform/bitnami.settings";
import {
  bool,
  count,
  dnsLabel,
  externalEndpoint,
  image,
  intAtLeast,
  k8sName,
  nonEmpty,
  persistence,
  port,
  resources,
  SchemaContext,
} from "../../config/fields";

/** The most Redis nodes a stack may ask for. */
const MAX_REDIS_NODES = 9;

/**
 * The Sentinel quorum rule. A failover needs `quorum` sentinels to agree the master is down and a
 * majority of all sentinels to elect the one that runs it; the master's node takes its own sentinel
 * down with it. So: quorum at least a majority (floor(n/2) + 1, no two halves can each fail over),
 * and at most n - 1 (still reachable with one node lost), which needs at least 3 nodes.
 */
function sentinelQuorum(nodes: number, quorum: number, c: z.RefinementCtx): void {
  const majority = Math.floor(nodes / 2) + 1;
  const rule =
    "a failover needs a majority of the sentinels (more than half of redis.replica.replicaCount) and must still be agreed" +
    " when the master's node is lost with its sentinel (at most replicaCount - 1)";
  if (nodes < 3) {
    c.addIssue({
      code: "custom",
      path: ["replica", "replicaCount"],
      input: nodes,
      message: `must be at least 3 with Sentinel: ${rule}; with ${nodes} node${nodes === 1 ? "" : "s"} no quorum satisfies both`,
    });
  } else if (quorum < majority || quorum > nodes - 1) {
    const allowed = majority === nodes - 1 ? `${majority}` : `${majority} to ${nodes - 1}`;
    c.addIssue({
      code: "custom",
      path: ["sentinel", "quorum"],
      input: quorum,
      message: `must be ${allowed} with ${nodes} Redis nodes: ${rule}`,
    });
  }
}

export const redisSchema = (ctx: SchemaContext) =>
  z
    .strictObject({
      enabled: bool().meta({
        description: "Install Redis in the namespace (the chart, release redis); false = use redis.external instead.",
        default: true,
      }),
      external: externalEndpoint("Redis")
        .extend({
          existingSecret: k8sName("Secret")
            .optional()
            .meta({ description: "Secret in the stack's namespace, created by you, that holds the Redis password; unset = no auth." }),
          passwordKey: nonEmpty("a Secret key")
            .optional()
            .meta({ description: "Key of the password in existingSecret; set both or neither." }),
          sentinel: z
            .strictObject({
              hosts: z
                .array(nonEmpty("a host name"))
                .min(1, { error: "must list at least one sentinel host" })
                .meta({ description: "Host names of the sentinels." }),
              port: port().optional().meta({ description: "Port of the sentinels; unset = 26379." }),
              masterSet: nonEmpty().meta({ description: "Name of the master set the sentinels manage." }),
            })
            .optional()
            .meta({ description: "A Sentinel-managed Redis: the API asks these sentinels for the master of masterSet." }),
        })
        .superRefine((e, c) => {
          if ((e.existingSecret === undefined) !== (e.passwordKey === undefined)) {
            c.addIssue({
              code: "custom",
              path: [e.existingSecret === undefined ? "existingSecret" : "passwordKey"],
              input: undefined,
              message: "must be given together with existingSecret/passwordKey (both, or neither for a Redis without auth)",
            });
          }
        })
        .optional()
        .meta({ description: "The Redis used when redis.enabled is false (required then). Its password stays in your Secret." }),
      architecture: z.enum(["standalone", "replication"], { error: "must be standalone or replication" }).meta({
        description: "standalone: one Redis; replication: a master plus replica.replicaCount replicas (required for Sentinel).",
        default: "replication",
      }),
      auth: z
        .strictObject({
          enabled: bool().meta({
            description: "Require a password; it is generated once and kept in the Secret redis-auth.",
            default: true,
          }),
        })
        .meta({ description: "Password protection of Redis." }),
      image: image(ctx).meta({
        description: "The Redis server image, built from images/redis and pushed to your registry.",
        default: { registry: "ghcr.io", repository: "yourorg/ape-2026/redis", tag: "8.0.2-debian-13-r1" },
      }),
      master: z
        .strictObject({
          persistence: persistence().meta({
            description: "Data volume of the master. To grow a live one, resize its PVC with kubectl first (immutable volume template).",
            default: { enabled: true, size: "10Gi" },
          }),
          resources: resources().meta({
            description: "CPU and memory of the master.",
            default: {
              requests: { memory: "256Mi", cpu: "100m", "ephemeral-storage": "64Mi" },
              limits: { memory: "512Mi", "ephemeral-storage": "1Gi" },
            },
          }),
        })
        .meta({ description: "The Redis master; unused with Sentinel, where every node follows the replica settings." }),
      replica: z
        .strictObject({
          replicaCount: count(
            1,
            MAX_REDIS_NODES,
            "every replica copies the master's whole data set; beyond that, shard with Redis Cluster",
          ).meta({
            description: `Number of replicas; with Sentinel, the number of Redis nodes (each runs Redis and a sentinel). At most ${MAX_REDIS_NODES}.`,
            default: 2,
          }),
          persistence: persistence().meta({
            description:
              "Data volume of each replica (each node with Sentinel). Resize live PVCs with kubectl first (immutable volume template).",
            default: { enabled: true, size: "10Gi" },
          }),
          resources: resources().meta({
            description: "CPU and memory of each replica (each node's Redis with Sentinel).",
            default: {
              requests: { memory: "256Mi", cpu: "100m", "ephemeral-storage": "64Mi" },
              limits: { memory: "512Mi", "ephemeral-storage": "1Gi" },
            },
          }),
          podAntiAffinity: z.enum(["soft", "hard"], { error: "must be soft or hard" }).meta({
            description:
              "hard: no two Redis nodes on one Kubernetes node (needs as many schedulable nodes as replicaCount, else pods stay" +
              " Pending); soft: a preference only, so one node failure may take down every replica and Sentinel.",
            default: "soft",
          }),
        })
        .meta({ description: "Redis replicas (architecture replication); with Sentinel, the Redis nodes." }),
      sentinel: z
        .strictObject({
          enabled: bool().meta({
            description:
              "Run a sentinel beside every Redis node for automatic failover; needs architecture replication. Switching it on a live" +
              " stack moves Redis to other StatefulSets, with new, empty volumes.",
            default: false,
          }),
          image: image(ctx).meta({
            description: "The Redis Sentinel image, built from images/redis-sentinel and pushed to your registry.",
            default: { registry: "ghcr.io", repository: "yourorg/ape-2026/redis-sentinel", tag: "8.0.2-debian-13-r1" },
          }),
          quorum: intAtLeast(1).meta({
            description:
              "Sentinels that must agree the master is down before a failover: a majority of the Redis nodes (more than half of" +
              " replica.replicaCount) and at most replicaCount - 1, so that a failover can still be agreed when the master's node" +
              " is lost with its sentinel. With 3 nodes: 2.",
            default: 2,
          }),
          masterSet: dnsLabel().meta({
            description: "Name of the master set the sentinels announce; the API gets it as REDIS_SENTINEL_MASTER_SET.",
            default: "mymaster",
          }),
          resources: resources().meta({
            description: "CPU and memory of each sentinel container.",
            default: {
              requests: { memory: "64Mi", cpu: "50m", "ephemeral-storage": "16Mi" },
              limits: { memory: "128Mi", "ephemeral-storage": "256Mi" },
            },
          }),
        })
        .meta({
          description: "Redis Sentinel: failover to a replica when the master fails; the API then asks the sentinels for the master.",
        }),
      metrics: exporterMetrics(ctx, {
        exporter: "redis_exporter",
        port: 9121,
        recipe: "redis-exporter",
        tag: "1.69.0-debian-13-r1",
        of: "Redis",
      }),
      extraValues: extraValues("redis"),
    })
    .superRefine((r, c) => {
      if (!r.enabled && !r.external) {
        c.addIssue({
          code: "custom",
          path: ["external"],
          input: undefined,
          message: "must give host and port (plus existingSecret and passwordKey when it needs a password) when redis.enabled is false",
        });
      }
      if (r.sentinel.enabled && r.architecture !== "replication") {
        c.addIssue({ code: "custom", path: ["sentinel", "enabled"], input: true, message: "requires redis.architecture replication" });
      }
      if (r.sentinel.enabled) sentinelQuorum(r.replica.replicaCount, r.sentinel.quorum, c);
    })
    .meta({ description: "Redis for the API: the pinned Bitnami chart (Sentinel in production), or an external Redis." });
export type RedisConfig = z.infer<ReturnType<typeof redisSchema>>;

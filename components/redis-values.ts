// Pure values builder for the Bitnami redis chart (22.0.x): config in, chart values out.
// The password never appears here: the chart reads it from the Secret named in auth.existingSecret.
import { RedisConfig } from "../config/sections/data";
import { ImagesConfig } from "../config/sections/platform";
import { BITNAMI_LEGACY, BITNAMI_REGISTRY, bitnamiGlobals, bitnamiImage, chartImage } from "./charts";

/** Key of the Redis password in its Secret (the chart's default existingSecretPasswordKey). */
export const REDIS_SECRET_KEY = "redis-password";
/** The fixed name of the Redis credentials Secret. */
export const REDIS_SECRET_NAME = "redis-auth";

function persistence(p: RedisConfig["master"]["persistence"]): Record<string, unknown> {
  return { enabled: p.enabled, size: p.size, ...(p.storageClass ? { storageClass: p.storageClass } : {}) };
}

/**
 * Chart values for the configured Redis. `secretName` is the credentials Secret (undefined when
 * auth is off). With Sentinel the chart runs one `<release>-node` StatefulSet of
 * replica.replicaCount pods (redis + sentinel each); master.* is then unused.
 */
export function redisValues(cfg: RedisConfig, images: ImagesConfig, secretName: string | undefined): Record<string, unknown> {
  return {
    global: bitnamiGlobals(images),
    architecture: cfg.architecture,
    auth: cfg.auth.enabled
      ? { enabled: true, sentinel: true, existingSecret: secretName, existingSecretPasswordKey: REDIS_SECRET_KEY, usePasswordFiles: true }
      : { enabled: false, sentinel: false },
    image: chartImage(images, cfg.image, BITNAMI_REGISTRY),
    master: { persistence: persistence(cfg.master.persistence), resources: cfg.master.resources },
    replica: { replicaCount: cfg.replica.replicaCount, persistence: persistence(cfg.replica.persistence), resources: cfg.replica.resources },
    sentinel: {
      enabled: cfg.sentinel.enabled,
      quorum: cfg.sentinel.quorum,
      masterSet: cfg.sentinel.masterSet,
      resources: cfg.sentinel.resources,
      // Same Redis version as the server image (the chart's default tag matches the pinned redis).
      image: bitnamiImage(images, BITNAMI_LEGACY.redisSentinel),
    },
    metrics: { enabled: cfg.metrics.enabled, resources: cfg.metrics.resources, image: bitnamiImage(images, BITNAMI_LEGACY.redisExporter) },
    // The chart's NetworkPolicy is open by default (any source on 6379/26379/9121, any egress) and
    // would overlap the stack's default-deny policies; the stack's own policies are the only ones.
    networkPolicy: { enabled: false },
    // Both run as root (volumePermissions) or privileged (sysctl): Pod Security "restricted"
    // refuses them. Kept off; their images are still set because the chart checks them.
    volumePermissions: { enabled: false, image: bitnamiImage(images, BITNAMI_LEGACY.osShell) },
    sysctl: { enabled: false, image: bitnamiImage(images, BITNAMI_LEGACY.osShell) },
    kubectl: { image: bitnamiImage(images, BITNAMI_LEGACY.kubectl) },
  };
}

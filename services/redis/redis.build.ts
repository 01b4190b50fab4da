// Pure values builder for the Bitnami redis chart (22.0.x): config in, chart values out.
// The password never appears here: the chart reads it from the Secret named in auth.existingSecret.
import { RedisConfig } from "./redis.settings";
import { ImagesConfig } from "../../platform/platform.settings";
import { chartImage } from "../../platform/images";
import { volumeValues } from "../../platform/persistence";
import { BITNAMI_POD_SECURITY, BITNAMI_REGISTRY, bitnamiGlobals, bitnamiImage } from "../../platform/bitnami.build";
import { REDIS } from "./redis.contract";
import { redisMode } from "./redis.decisions";
import { certificateAnnotations, INTERNAL_TLS, ServerTlsValues } from "../../platform/internal-tls";

/**
 * Chart values for the configured Redis. `secretName` is the credentials Secret (undefined when
 * auth is off). With Sentinel the chart runs one `<release>-node` StatefulSet of
 * replica.replicaCount pods (redis + sentinel each); master.* is then unused.
 */
export function redisValues(
  cfg: RedisConfig,
  images: ImagesConfig,
  secretName: string | undefined,
  tls?: ServerTlsValues,
): Record<string, unknown> {
  const podAnnotations = certificateAnnotations(tls);
  return {
    global: bitnamiGlobals(images),
    architecture: cfg.architecture,
    auth: cfg.auth.enabled
      ? { enabled: true, sentinel: true, existingSecret: secretName, existingSecretPasswordKey: REDIS.secret.key, usePasswordFiles: true }
      : { enabled: false, sentinel: false },
    image: chartImage(images, cfg.image, BITNAMI_REGISTRY),
    // TLS only (the chart then closes the plain-text ports: Redis and Sentinel --port 0), replication
    // and Sentinel's own links included. No client certificates (authClients): clients prove
    // themselves with the password; they verify the server with the CA.
    ...(tls
      ? {
          tls: {
            enabled: true,
            authClients: false,
            existingSecret: tls.secretName,
            certFilename: INTERNAL_TLS.keys.cert,
            certKeyFilename: INTERNAL_TLS.keys.key,
            certCAFilename: INTERNAL_TLS.keys.ca,
          },
        }
      : {}),
    master: {
      ...(tls ? { podAnnotations } : {}),
      persistence: volumeValues(cfg.master.persistence),
      resources: cfg.master.resources,
      podSecurityContext: BITNAMI_POD_SECURITY,
    },
    // With Sentinel the redis-node StatefulSet (redis + sentinel containers) takes replica.*.
    replica: {
      ...(tls ? { podAnnotations } : {}),
      replicaCount: cfg.replica.replicaCount,
      persistence: volumeValues(cfg.replica.persistence),
      resources: cfg.replica.resources,
      podSecurityContext: BITNAMI_POD_SECURITY,
      podAntiAffinityPreset: cfg.replica.podAntiAffinity,
      // So that the master's preStop hands the master role over before it stops (REDIS.preStopEnv).
      ...(redisMode(cfg) === "sentinel" ? { extraEnvVars: [REDIS.preStopEnv] } : {}),
    },
    sentinel: {
      enabled: redisMode(cfg) === "sentinel",
      quorum: cfg.sentinel.quorum,
      masterSet: cfg.sentinel.masterSet,
      resources: cfg.sentinel.resources,
      // Built from images/redis-sentinel at the same Redis version as the server image.
      image: chartImage(images, cfg.sentinel.image, BITNAMI_REGISTRY),
    },
    metrics: {
      enabled: cfg.metrics.enabled,
      resources: cfg.metrics.resources,
      image: chartImage(images, cfg.metrics.image, BITNAMI_REGISTRY),
    },
    // The chart's NetworkPolicy is open by default (any source on 6379/26379/9121, any egress) and
    // would overlap the stack's default-deny policies; the stack's own policies are the only ones.
    networkPolicy: { enabled: false },
    // Both run as root (volumePermissions) or privileged (sysctl): Pod Security "restricted"
    // refuses them. Kept off; their images are still set because the chart checks them.
    volumePermissions: { enabled: false, image: bitnamiImage(images, REDIS.images.osShell) },
    sysctl: { enabled: false, image: bitnamiImage(images, REDIS.images.osShell) },
    kubectl: { image: bitnamiImage(images, REDIS.images.kubectl) },
  };
}

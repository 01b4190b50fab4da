// Facts of the pinned Bitnami redis chart (22.0.x) that this program relies on: the release name,
// Services and ports, pod labels, Secret key and images. The component, its values builder, the
// NetworkPolicies and the tests all read them from here, so a change is one edit.
import type { RedisConfig } from "./redis.settings";
import type { MetricsService } from "../../platform/bitnami.build";
import type { RedisEndpoint } from "./redis.endpoint";

/** How clients find the master (the one decision is redisMode in ./redis.decisions). */
type RedisMode = RedisEndpoint["mode"];

export const REDIS = {
  /** Fixed Helm release name: Service, StatefulSet and PVC names derive from it. */
  release: "redis",
  /** Pod ports (NetworkPolicies see pod ports). */
  ports: { redis: 6379, sentinel: 26379, exporter: 9121 },
  /** The credentials Secret this program creates; the key is the chart's existingSecretPasswordKey default. */
  secret: { name: "redis-auth", key: "redis-password" },
  /**
   * The chart's helper images (volume permissions, sysctl, kubectl), which this program keeps off;
   * the chart still checks that they are set (Docker Hub, see POSTGRESQL.images). The server,
   * Sentinel and exporter images come from the settings (the recipes in images/).
   */
  images: { osShell: "bitnamilegacy/os-shell", kubectl: "bitnamilegacy/kubectl" },
  /**
   * The variable the chart's preStop of the redis container (prestop-redis.sh) forgets. It names the
   * master `<pod>.$HEADLESS_SERVICE` but defines HEADLESS_SERVICE only with sentinel.externalAccess
   * on; without it the master takes "<pod>." for its own name, finds Sentinel's master is another
   * one, and exits without asking for a failover: the pod is killed as master, and clients wait
   * until it is back (seen on the node: no promotion). Given to the container with the chart's own
   * expression (extraEnvVars are rendered as templates). Fixed in chart 23.0.4
   * (bitnami/charts#36362): drop this with that bump.
   */
  preStopEnv: {
    name: "HEADLESS_SERVICE",
    value: '{{ include "common.names.fullname" . }}-headless.{{ include "common.names.namespace" . }}.svc.{{ .Values.clusterDomain }}',
  },
} as const;

/** Labels on every Redis pod (master/replicas, or the redis-node pods with Sentinel). */
export function redisPodLabels(release: string = REDIS.release): Record<string, string> {
  return { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": release };
}

/**
 * The exporter's metrics Service (metrics.enabled): `<release>-metrics`, its port name and the
 * labels it carries (the pod labels plus component=metrics). It selects every Redis pod.
 */
export function redisMetricsService(release: string = REDIS.release): MetricsService {
  return {
    name: `${release}-metrics`,
    portName: "http-metrics",
    labels: { ...redisPodLabels(release), "app.kubernetes.io/component": "metrics" },
  };
}

/** A resolved Redis address (no credentials). */
export interface RedisAddress {
  readonly mode: RedisMode;
  readonly host: string;
  readonly port: number;
  readonly sentinel?: { readonly hosts: string[]; readonly port: number; readonly masterSet: string };
}

/**
 * Where clients of the chart's Redis connect, by mode (names from the chart's fullname = release name):
 * - Sentinel: ask the sentinels (one per node, `<release>-node-<i>.<release>-headless`) for
 *   `masterSet`; `<release>:6379` spreads reads over all nodes.
 * - otherwise (standalone, or replication without Sentinel): writes go to `<release>-master`.
 */
export function redisAddress(
  mode: RedisMode,
  cfg: Pick<RedisConfig, "replica" | "sentinel">,
  namespace: string,
  release: string = REDIS.release,
): RedisAddress {
  const svc = (name: string) => `${name}.${namespace}.svc.cluster.local`;
  if (mode === "sentinel") {
    const hosts = Array.from({ length: cfg.replica.replicaCount }, (_, i) => `${release}-node-${i}.${svc(`${release}-headless`)}`);
    return {
      mode: "sentinel",
      host: svc(release),
      port: REDIS.ports.redis,
      sentinel: { hosts, port: REDIS.ports.sentinel, masterSet: cfg.sentinel.masterSet },
    };
  }
  return { mode: "standalone", host: svc(`${release}-master`), port: REDIS.ports.redis };
}

/**
 * The names the chart's Redis certificate covers: every Service (`<release>`, `-master`,
 * `-replicas`, `-headless`) in each form a client may use; each pod under the headless Service,
 * which is how the nodes announce themselves for replication and how the sentinels name the master
 * (the chart's useHostnames and `sentinel announce-hostnames`), once by name and once as the
 * wildcard that also covers pods added later; and localhost with 127.0.0.1, where the exporter and
 * the chart's own scripts reach the server in the same pod.
 */
export function redisTlsNames(
  cfg: Pick<RedisConfig, "architecture" | "replica">,
  mode: RedisMode,
  namespace: string,
  release: string = REDIS.release,
): { dnsNames: string[]; ipAddresses: string[] } {
  const headless = `${release}-headless.${namespace}.svc.cluster.local`;
  const pods =
    mode === "sentinel"
      ? Array.from({ length: cfg.replica.replicaCount }, (_, i) => `${release}-node-${i}`)
      : [
          `${release}-master-0`,
          ...(cfg.architecture === "replication"
            ? Array.from({ length: cfg.replica.replicaCount }, (_, i) => `${release}-replicas-${i}`)
            : []),
        ];
  const services = [release, `${release}-master`, `${release}-replicas`, `${release}-headless`];
  return {
    dnsNames: [
      ...services.flatMap((svc) => [svc, `${svc}.${namespace}`, `${svc}.${namespace}.svc`, `${svc}.${namespace}.svc.cluster.local`]),
      ...pods.map((pod) => `${pod}.${headless}`),
      `*.${headless}`,
      "localhost",
    ],
    ipAddresses: ["127.0.0.1"],
  };
}

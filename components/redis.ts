// Redis as the pinned Bitnami chart through helm.v3.Release (standalone in dev, replication with
// Sentinel in production), with a generated password; or, when switched off, an external Redis.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RedisConfig } from "../config/sections/data";
import { databaseReleaseArgs, DataServiceArgs, pinnedChart, RELEASE_NAMES } from "./charts";
import { Credentials } from "./credentials";
import { RedisEndpoint } from "./endpoints";
import { statefulOptions } from "./options";
import { REDIS_SECRET_KEY, REDIS_SECRET_NAME, redisValues } from "./redis-values";

export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;

export interface RedisArgs extends DataServiceArgs {
  /** The `redis` section of StackConfig (enabled). */
  readonly config: RedisConfig;
}

/** A resolved Redis address (no credentials). */
export interface RedisAddress {
  readonly mode: RedisEndpoint["mode"];
  readonly host: string;
  readonly port: number;
  readonly sentinel?: { readonly hosts: string[]; readonly port: number; readonly masterSet: string };
}

/**
 * Where clients connect, by mode (names from the chart's fullname = release name):
 * - Sentinel: ask the sentinels (one per node, `<release>-node-<i>.<release>-headless`) for
 *   `masterSet`; `<release>:6379` spreads reads over all nodes.
 * - otherwise (standalone, or replication without Sentinel): writes go to `<release>-master`.
 */
export function redisEndpointFor(
  cfg: Pick<RedisConfig, "architecture" | "replica" | "sentinel">,
  namespace: string,
  release: string = RELEASE_NAMES.redis,
): RedisAddress {
  const svc = (name: string) => `${name}.${namespace}.svc.cluster.local`;
  if (cfg.sentinel.enabled) {
    const hosts = Array.from({ length: cfg.replica.replicaCount }, (_, i) => `${release}-node-${i}.${svc(`${release}-headless`)}`);
    return { mode: "sentinel", host: svc(release), port: REDIS_PORT, sentinel: { hosts, port: SENTINEL_PORT, masterSet: cfg.sentinel.masterSet } };
  }
  return { mode: "standalone", host: svc(`${release}-master`), port: REDIS_PORT };
}

/** The endpoint of an external Redis (redis.enabled false). */
export function externalRedisEndpoint(cfg: RedisConfig): RedisEndpoint {
  const ext = cfg.external;
  if (!ext) throw new Error("redis.external: must be set when redis.enabled is false");
  const passwordSecret = ext.existingSecret && ext.passwordKey ? { name: ext.existingSecret, key: ext.passwordKey } : undefined;
  return {
    mode: ext.sentinel ? "sentinel" : "standalone",
    host: ext.host,
    port: ext.port,
    ...(ext.sentinel ? { sentinel: { hosts: ext.sentinel.hosts, port: ext.sentinel.port ?? SENTINEL_PORT, masterSet: ext.sentinel.masterSet } } : {}),
    ...(passwordSecret ? { passwordSecret } : {}),
  };
}

export class Redis extends pulumi.ComponentResource {
  /** Undefined when redis.auth.enabled is false. */
  public readonly credentials?: Credentials;
  public readonly release: k8s.helm.v3.Release;
  /** Where the API connects (Sentinel hosts and master set in Sentinel mode). */
  public readonly endpoint: RedisEndpoint;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:data:Redis", name, {}, opts);
    const { config: cfg, isProduction } = args;
    const chart = pinnedChart(args.charts, "redis");

    if (cfg.auth.enabled) {
      this.credentials = new Credentials(
        `${name}-auth`,
        { namespace: args.namespace, secretName: REDIS_SECRET_NAME, keys: [REDIS_SECRET_KEY], component: "redis", isProduction },
        { parent: this },
      );
    }
    const secretName: pulumi.Output<string | undefined> = this.credentials ? this.credentials.secretName : pulumi.output(undefined);

    this.release = new k8s.helm.v3.Release(
      name,
      // The Secret's name as an Output: the release waits for the Secret.
      databaseReleaseArgs(chart, args.namespace, secretName.apply((n) => redisValues(cfg, args.images, n))),
      statefulOptions(isProduction, this, { dependsOn: this.credentials ? [this.credentials.secret] : [] }),
    );

    // Resolved from the release's status: whoever uses the endpoint waits for the release.
    const base: pulumi.Output<RedisAddress> = pulumi.all([this.release.status.name, args.namespace]).apply(([release, ns]) => redisEndpointFor(cfg, ns, release));
    this.endpoint = {
      mode: cfg.sentinel.enabled ? "sentinel" : "standalone",
      host: base.host,
      port: REDIS_PORT,
      ...(cfg.sentinel.enabled
        ? { sentinel: { hosts: Array.from({ length: cfg.replica.replicaCount }, (_, i) => base.apply((b) => b.sentinel!.hosts[i])), port: SENTINEL_PORT, masterSet: cfg.sentinel.masterSet } }
        : {}),
      ...(this.credentials
        ? { passwordSecret: { name: this.credentials.secretName, key: REDIS_SECRET_KEY }, password: this.credentials.password(REDIS_SECRET_KEY) }
        : {}),
    };
    this.registerOutputs({ host: base.host, mode: this.endpoint.mode, releaseStatus: this.release.status });
  }
}

/** What a user may see of the Redis endpoint (a stack output): no password, only where it is. */
export function redisOutput(e: RedisEndpoint): pulumi.Output<unknown> {
  return pulumi.output({
    mode: e.mode,
    host: e.host,
    port: e.port,
    ...(e.sentinel ? { sentinel: { hosts: e.sentinel.hosts, port: e.sentinel.port, masterSet: e.sentinel.masterSet } } : {}),
    ...(e.passwordSecret ? { passwordSecret: { name: e.passwordSecret.name, key: e.passwordSecret.key } } : {}),
  });
}

// Redis as the pinned Bitnami chart through helm.v3.Release (standalone in dev, replication with
// Sentinel in production), with a generated password; or, when switched off, an external Redis.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RedisConfig } from "../postgresql/postgresql.settings";
import { chartCredentials, Credentials } from "../../platform/credentials";
import { ChartServiceArgs, chartRelease, DATA_RELEASE } from "../../platform/release";
import { RedisEndpoint } from "../../platform/endpoints";
import { redisValues } from "./redis.build";
import { REDIS, redisAddress } from "./redis.contract";

export interface RedisArgs extends ChartServiceArgs {
  /** The `redis` section of StackConfig (enabled). */
  readonly config: RedisConfig;
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
    ...(ext.sentinel
      ? { sentinel: { hosts: ext.sentinel.hosts, port: ext.sentinel.port ?? REDIS.ports.sentinel, masterSet: ext.sentinel.masterSet } }
      : {}),
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
    const cfg = args.config;

    if (cfg.auth.enabled) {
      this.credentials = chartCredentials(`${name}-auth`, this, args, {
        secretName: REDIS.secret.name,
        keys: [REDIS.secret.key],
        component: "redis",
      });
    }
    const secretName: pulumi.Output<string | undefined> = this.credentials ? this.credentials.secretName : pulumi.output(undefined);

    this.release = chartRelease(name, this, args, {
      chart: "redis",
      releaseName: REDIS.release,
      settings: DATA_RELEASE,
      // The Secret's name as an Output: the release waits for the Secret.
      values: secretName.apply((n) => redisValues(cfg, args.images, n)),
      extraValues: cfg.extraValues,
      dependsOn: this.credentials ? [this.credentials.secret] : [],
    });

    // Resolved from the release's status: whoever uses the endpoint waits for the release.
    const address = pulumi.all([this.release.status.name, args.namespace]).apply(([release, ns]) => redisAddress(cfg, ns, release));
    this.endpoint = {
      mode: cfg.sentinel.enabled ? "sentinel" : "standalone",
      host: address.host,
      port: REDIS.ports.redis,
      ...(cfg.sentinel.enabled
        ? { sentinel: { hosts: address.apply((a) => a.sentinel!.hosts), port: REDIS.ports.sentinel, masterSet: cfg.sentinel.masterSet } }
        : {}),
      ...(this.credentials
        ? {
            passwordSecret: { name: this.credentials.secretName, key: REDIS.secret.key },
            password: this.credentials.password(REDIS.secret.key),
          }
        : {}),
    };
    this.registerOutputs({ host: address.host, mode: this.endpoint.mode, releaseStatus: this.release.status });
  }
}

// Redis as the pinned Bitnami chart through helm.v3.Release (standalone in dev, replication with
// Sentinel in production), with a generated password; or, when switched off, an external Redis.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RedisConfig } from "./redis.settings";
import { Credentials } from "../../platform/credentials";
import { statefulOptions } from "../../platform/options";
import { ChartServiceArgs, DATA_RELEASE, pinnedChart, releaseArgs, withExtraValues } from "../../platform/release";
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
    const { config: cfg, isProduction } = args;

    if (cfg.auth.enabled) {
      this.credentials = new Credentials(
        `${name}-auth`,
        { namespace: args.namespace, secretName: REDIS.secret.name, keys: [REDIS.secret.key], component: "redis", isProduction },
        { parent: this },
      );
    }
    const secretName: pulumi.Output<string | undefined> = this.credentials ? this.credentials.secretName : pulumi.output(undefined);

    this.release = new k8s.helm.v3.Release(
      name,
      // The Secret's name as an Output: the release waits for the Secret.
      releaseArgs(
        pinnedChart(args.charts, "redis", REDIS.release),
        DATA_RELEASE,
        args.namespace,
        secretName.apply((n) => withExtraValues(redisValues(cfg, args.images, n), cfg.extraValues)),
      ),
      statefulOptions(isProduction, this, { dependsOn: this.credentials ? [this.credentials.secret] : [] }),
    );

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

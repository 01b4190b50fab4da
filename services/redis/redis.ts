// Redis as the pinned Bitnami chart through helm.v3.Release (standalone in dev, replication with
// Sentinel in production), with a generated password; or, when switched off, an external Redis.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RedisConfig } from "./redis.settings";
import { chartCredentials, Credentials } from "../../platform/credentials";
import { ChartServiceArgs, chartRelease, DATA_RELEASE } from "../../platform/release";
import { RedisEndpoint } from "./redis.endpoint";
import { redisValues } from "./redis.build";
import { REDIS, redisAddress } from "./redis.contract";
import { ExternalRedisPlacement, redisMode } from "./redis.decisions";
import { resolveServerTls, ServerTls } from "../../platform/internal-tls";

export interface RedisArgs extends ChartServiceArgs {
  /** The `redis` section of StackConfig (enabled). */
  readonly config: RedisConfig;
  /** The server certificate (internalTls); undefined: plain text. */
  readonly tls?: ServerTls;
}

/** The endpoint of an external Redis (redis.enabled false), with its sentinels when it runs behind Sentinel. */
export function externalRedisEndpoint({ mode, external: ext, sentinels }: ExternalRedisPlacement): RedisEndpoint {
  const passwordSecret = ext.existingSecret && ext.passwordKey ? { name: ext.existingSecret, key: ext.passwordKey } : undefined;
  return {
    mode,
    host: ext.host,
    port: ext.port,
    ...(sentinels ? { sentinel: sentinels } : {}),
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
      values: pulumi.all([secretName, resolveServerTls(args.tls)]).apply(([n, tls]) => redisValues(cfg, args.images, n, tls)),
      extraValues: cfg.extraValues,
      dependsOn: this.credentials ? [this.credentials.secret] : [],
    });

    // Resolved from the release's status: whoever uses the endpoint waits for the release.
    const mode = redisMode(cfg);
    const address = pulumi.all([this.release.status.name, args.namespace]).apply(([release, ns]) => redisAddress(mode, cfg, ns, release));
    this.endpoint = {
      mode,
      host: address.host,
      port: REDIS.ports.redis,
      ...(args.tls ? { tls: args.tls.trust } : {}),
      ...(mode === "sentinel"
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

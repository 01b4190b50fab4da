// Redis as the pinned Bitnami chart through helm.v3.Release (standalone in dev, replication with
// Sentinel in production), with a generated password; or, when switched off, an external Redis.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RedisConfig } from "../postgresql/postgresql.settings";
import { Credentials } from "../../platform/credentials";
import { statefulOptions } from "../../platform/options";
import { ChartServiceArgs, DATA_RELEASE, pinnedChart, releaseArgs, withExtraValues } from "../../platform/release";
import { RedisEndpoint } from "../../platform/endpoints";
import { redisValues } from "./redis.build";
import { REDIS, redisAddress } from "./redis.contract";
import { ExternalRedisPlacement, redisMode } from "./redis.decisions";

export interface RedisArgs extends ChartServiceArgs {
  /** The `redis` section of StackConfig (enabled). */
  readonly config: RedisConfig;
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
    const mode = redisMode(cfg);
    const address = pulumi.all([this.release.status.name, args.namespace]).apply(([release, ns]) => redisAddress(mode, cfg, ns, release));
    this.endpoint = {
      mode,
      host: address.host,
      port: REDIS.ports.redis,
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

// What Redis (the chart's or an external one) hands to its consumers: where it is and which
// Secret holds the password. The resolved form (plain strings, what a ConfigMap or a stack output
// holds) is derived from it, without the password.
import * as pulumi from "@pulumi/pulumi";
import type { SecretKeyRef } from "../../platform/secret-ref";
import type { TrustedCa } from "../../platform/internal-tls";

export interface RedisEndpoint {
  /** standalone/replication: connect to host:port; sentinel: ask the sentinels for `masterSet`. */
  readonly mode: "standalone" | "sentinel";
  readonly host: pulumi.Input<string>;
  readonly port: number;
  readonly sentinel?: { readonly hosts: pulumi.Input<string[]>; readonly port: number; readonly masterSet: string };
  /** Set when the server speaks TLS only: the CA its clients verify it with (internalTls). */
  readonly tls?: TrustedCa;
  /** Undefined when Redis auth is off. */
  readonly passwordSecret?: SecretKeyRef;
  readonly password?: pulumi.Output<string>;
}

/** Where Redis is, resolved: no password, only which Secret holds it. */
export type ResolvedRedis = pulumi.Unwrap<Omit<RedisEndpoint, "password">>;

/** The Redis endpoint as one Output of plain values (the password left out). */
export function resolveRedis(e: RedisEndpoint): pulumi.Output<ResolvedRedis> {
  const { password: _password, ...address } = e;
  return pulumi.output(address) as pulumi.Output<ResolvedRedis>;
}

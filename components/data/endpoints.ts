// What the data services hand to their consumers (the API, Grafana, NetworkPolicies): hosts,
// ports and where the credentials are. One type per data service; the resolved form (plain
// strings, what a ConfigMap or a stack output holds) is derived from it, without the password.
import * as pulumi from "@pulumi/pulumi";

/** A key in a Kubernetes Secret of the stack's namespace. */
export interface SecretKeyRef {
  readonly name: pulumi.Input<string>;
  readonly key: string;
}

export interface DatabaseEndpoint {
  /** Service DNS name, e.g. postgresql.ape-2026.svc.cluster.local. */
  readonly host: pulumi.Input<string>;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  /** The application user's password in a Secret (for secretKeyRef / envFrom). */
  readonly passwordSecret: SecretKeyRef;
  /** The password itself as a Pulumi secret, when this program generated it (not for external databases). */
  readonly password?: pulumi.Output<string>;
}

export interface RedisEndpoint {
  /** standalone/replication: connect to host:port; sentinel: ask the sentinels for `masterSet`. */
  readonly mode: "standalone" | "sentinel";
  readonly host: pulumi.Input<string>;
  readonly port: number;
  readonly sentinel?: { readonly hosts: pulumi.Input<string[]>; readonly port: number; readonly masterSet: string };
  /** Undefined when Redis auth is off. */
  readonly passwordSecret?: SecretKeyRef;
  readonly password?: pulumi.Output<string>;
}

/** Where the database is, resolved: no password, only which Secret holds it. */
export type ResolvedDatabase = pulumi.Unwrap<Omit<DatabaseEndpoint, "password">>;
/** Where Redis is, resolved: no password, only which Secret holds it. */
export type ResolvedRedis = pulumi.Unwrap<Omit<RedisEndpoint, "password">>;

/** The database endpoint as one Output of plain values (the password left out). */
export function resolveDatabase(e: DatabaseEndpoint): pulumi.Output<ResolvedDatabase> {
  const { password: _password, ...address } = e;
  return pulumi.output(address) as pulumi.Output<ResolvedDatabase>;
}

/** The Redis endpoint as one Output of plain values (the password left out). */
export function resolveRedis(e: RedisEndpoint): pulumi.Output<ResolvedRedis> {
  const { password: _password, ...address } = e;
  return pulumi.output(address) as pulumi.Output<ResolvedRedis>;
}

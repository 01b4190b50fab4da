// What the data services hand to their consumers (the API, Grafana, NetworkPolicies): hosts,
// ports and where the credentials are. One type per data service; the resolved form (plain
// strings, what a ConfigMap or a stack output holds) is derived from it, without the password.
import * as pulumi from "@pulumi/pulumi";

/** A key in a Kubernetes Secret of the stack's namespace. */
interface SecretKeyRef {
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

/**
 * Neo4j for the API. No password Output: clients read it from `passwordSecret` by secretKeyRef,
 * whether this program generated it or someone else manages it.
 */
export interface Neo4jEndpoint {
  /** bolt://<host>:<port> (or the scheme configured for an external Neo4j). */
  readonly uri: pulumi.Input<string>;
  /** Service DNS name, e.g. neo4j.ape-2026.svc.cluster.local. */
  readonly host: pulumi.Input<string>;
  readonly port: number;
  readonly username: string;
  /** The user's password in a Secret of the stack's namespace. */
  readonly passwordSecret: SecretKeyRef;
}

/** Where the database is, resolved: no password, only which Secret holds it. */
export type ResolvedDatabase = pulumi.Unwrap<Omit<DatabaseEndpoint, "password">>;
/** Where Redis is, resolved: no password, only which Secret holds it. */
export type ResolvedRedis = pulumi.Unwrap<Omit<RedisEndpoint, "password">>;

/** Where Neo4j is, resolved: the bolt URI and which Secret holds the password. */
export type ResolvedNeo4j = pulumi.Unwrap<Neo4jEndpoint>;

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

/** The Neo4j endpoint as one Output of plain values (it carries no password). */
export function resolveNeo4j(e: Neo4jEndpoint): pulumi.Output<ResolvedNeo4j> {
  return pulumi.output(e) as pulumi.Output<ResolvedNeo4j>;
}

// What Neo4j (the chart's or an external one) hands to its consumers: where it is and which
// Secret holds the password. The resolved form (plain strings, what a ConfigMap or a stack output
// holds) is derived from it, without the password.
import * as pulumi from "@pulumi/pulumi";
import type { SecretKeyRef } from "../../platform/secret-ref";
import type { TrustedCa } from "../../platform/internal-tls";

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
  /** Set when the server speaks TLS only: the CA its clients verify it with (internalTls). */
  readonly tls?: TrustedCa;
  readonly username: string;
  /** The user's password in a Secret of the stack's namespace. */
  readonly passwordSecret: SecretKeyRef;
}

/** Where Neo4j is, resolved: the bolt URI and which Secret holds the password. */
export type ResolvedNeo4j = pulumi.Unwrap<Neo4jEndpoint>;

/** The Neo4j endpoint as one Output of plain values (it carries no password). */
export function resolveNeo4j(e: Neo4jEndpoint): pulumi.Output<ResolvedNeo4j> {
  return pulumi.output(e) as pulumi.Output<ResolvedNeo4j>;
}

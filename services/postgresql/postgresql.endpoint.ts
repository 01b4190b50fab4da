// What PostgreSQL (the chart's or an external one) hands to its consumers: where it is and which
// Secret holds the password. The resolved form (plain strings, what a ConfigMap or a stack output
// holds) is derived from it, without the password.
import * as pulumi from "@pulumi/pulumi";
import type { SecretKeyRef } from "../../platform/secret-ref";
import type { TrustedCa } from "../../platform/internal-tls";

export interface DatabaseEndpoint {
  /** Service DNS name, e.g. postgresql.ape-2026.svc.cluster.local. */
  readonly host: pulumi.Input<string>;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  /** The application user's password in a Secret (for secretKeyRef / envFrom). */
  readonly passwordSecret: SecretKeyRef;
  /** Set when the server speaks TLS only: the CA its clients verify it with (internalTls). */
  readonly tls?: TrustedCa;
  /** The password itself as a Pulumi secret, when this program generated it (not for external databases). */
  readonly password?: pulumi.Output<string>;
}

/** Where the database is, resolved: no password, only which Secret holds it. */
export type ResolvedDatabase = pulumi.Unwrap<Omit<DatabaseEndpoint, "password">>;
/** The database endpoint as one Output of plain values (the password left out). */
export function resolveDatabase(e: DatabaseEndpoint): pulumi.Output<ResolvedDatabase> {
  const { password: _password, ...address } = e;
  return pulumi.output(address) as pulumi.Output<ResolvedDatabase>;
}

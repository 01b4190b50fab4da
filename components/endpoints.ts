// What the data services hand to their consumers (the API, Grafana, NetworkPolicies): hosts,
// ports and where the credentials are. Passwords travel as Pulumi secrets or Secret references.
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
  readonly sentinel?: { readonly hosts: pulumi.Input<string>[]; readonly port: number; readonly masterSet: string };
  /** Undefined when Redis auth is off. */
  readonly passwordSecret?: SecretKeyRef;
  readonly password?: pulumi.Output<string>;
}

// A key in a Kubernetes Secret of the stack's namespace: how a service tells its consumers where a
// password is, without the password.
import * as pulumi from "@pulumi/pulumi";

/** A key in a Kubernetes Secret of the stack's namespace. */
export interface SecretKeyRef {
  readonly name: pulumi.Input<string>;
  readonly key: string;
}

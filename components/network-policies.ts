// The namespace's NetworkPolicies: default deny of ingress and egress, then the flows the stack
// needs (built by the pure buildNetworkPolicies in ./network-policy-rules).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MANAGED_BY, PART_OF } from "./labels";
import { buildNetworkPolicies, NetworkInputs } from "./network-policy-rules";

export interface NetworkPoliciesArgs {
  /** The config sections the flows depend on (networkPolicy, ingress, api, data and monitoring). */
  readonly config: NetworkInputs;
  /** The stack's namespace. */
  readonly namespace: pulumi.Input<string>;
}

export class NetworkPolicies extends pulumi.ComponentResource {
  public readonly policies: k8s.networking.v1.NetworkPolicy[];

  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:edge:NetworkPolicies", name, {}, opts);
    this.policies = buildNetworkPolicies(args.config).map(
      (doc) =>
        new k8s.networking.v1.NetworkPolicy(
          `${name}-${doc.name}`,
          {
            metadata: {
              name: doc.name,
              namespace: args.namespace,
              labels: { "app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/managed-by": MANAGED_BY, "app.kubernetes.io/component": "network-policy" },
            },
            // Empty rule lists are already dropped by the builder (the API server would drop them).
            spec: doc.spec,
          },
          { parent: this },
        ),
    );
    this.registerOutputs({ names: this.policies.map((p) => p.metadata.name) });
  }
}

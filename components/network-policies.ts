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

/**
 * The API server stores an empty ingress/egress list as absent; sending `[]` would make every apply
 * (and every `pulumi preview`) report a change. policyTypes alone already denies that direction.
 */
export function withoutEmptyRuleLists<T extends { ingress?: unknown[]; egress?: unknown[] }>(spec: T): T {
  const out = { ...spec };
  if (out.ingress?.length === 0) delete out.ingress;
  if (out.egress?.length === 0) delete out.egress;
  return out;
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
            spec: withoutEmptyRuleLists(doc.spec),
          },
          { parent: this },
        ),
    );
    this.registerOutputs({ names: this.policies.map((p) => p.metadata.name) });
  }
}

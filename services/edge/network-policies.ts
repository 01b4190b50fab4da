// The namespace's NetworkPolicies: default deny of ingress and egress, then the flows the stack's
// services declare (assembled by the pure buildNetworkPolicies in ./network-policies.build).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stackLabels } from "../../platform/labels";
import { NetworkPolicyConfig } from "./network-policy.settings";
import type { WorkloadFlows } from "../../platform/network";
import { buildNetworkPolicies, ControllerSelectors } from "./network-policies.build";

export interface NetworkPoliciesArgs {
  /** The `networkPolicy` section of StackConfig. */
  readonly config: NetworkPolicyConfig;
  /** The flows of every workload, as each service declares them, in the order of the policies. */
  readonly flows: readonly WorkloadFlows[];
  /** Where the controller that serves the public entry point runs (controllerSelectors). */
  readonly controller: ControllerSelectors;
  /** The stack's namespace. */
  readonly namespace: pulumi.Input<string>;
}

export class NetworkPolicies extends pulumi.ComponentResource {
  public readonly policies: k8s.networking.v1.NetworkPolicy[];

  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:edge:NetworkPolicies", name, {}, opts);
    this.policies = buildNetworkPolicies(args.config, args.flows, args.controller).map(
      (doc) =>
        new k8s.networking.v1.NetworkPolicy(
          `${name}-${doc.name}`,
          {
            metadata: {
              name: doc.name,
              namespace: args.namespace,
              labels: stackLabels("network-policy"),
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

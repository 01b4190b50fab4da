import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NamespaceConfig } from "./namespace.settings";
import { stackLabels } from "../../platform/labels";
import { statefulOptions } from "../../platform/options";

export interface StackNamespaceArgs {
  /** The `namespace` section of StackConfig. */
  readonly config: NamespaceConfig;
  /** Protect the Namespace (production): deleting it would delete every PVC inside. */
  readonly isProduction: boolean;
}

/** Pod Security Admission labels for the configured levels. */
function podSecurityLabels(levels: NamespaceConfig["podSecurity"]): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": levels.enforce,
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/audit": levels.audit,
    "pod-security.kubernetes.io/audit-version": "latest",
    "pod-security.kubernetes.io/warn": levels.warn,
    "pod-security.kubernetes.io/warn-version": "latest",
  };
}

/** The stack's Namespace, under Pod Security admission. */
export class StackNamespace extends pulumi.ComponentResource {
  public readonly namespace: k8s.core.v1.Namespace;
  /** The namespace name, resolved once the Namespace exists (so dependents wait for it). */
  public readonly name: pulumi.Output<string>;

  constructor(name: string, args: StackNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:core:StackNamespace", name, {}, opts);
    this.namespace = new k8s.core.v1.Namespace(
      name,
      {
        metadata: {
          name: args.config.name,
          labels: {
            ...args.config.labels,
            ...podSecurityLabels(args.config.podSecurity),
            ...stackLabels(),
          },
        },
      },
      statefulOptions(args.isProduction, this),
    );
    this.name = this.namespace.metadata.name;
    this.registerOutputs({ name: this.name });
  }
}

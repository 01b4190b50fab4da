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

/**
 * The namespace's `default` ServiceAccount: Kubernetes creates it in every namespace, and a pod that
 * names no ServiceAccount runs as it (the PostgreSQL backup CronJob: its chart has no setting for
 * one). Nothing in the stack calls the Kubernetes API as `default`, so it mounts no token.
 */
const DEFAULT_SERVICE_ACCOUNT = { name: "default", automountServiceAccountToken: false } as const;

/** The stack's Namespace, under Pod Security admission, whose `default` ServiceAccount mounts no token. */
export class StackNamespace extends pulumi.ComponentResource {
  public readonly namespace: k8s.core.v1.Namespace;
  /**
   * automountServiceAccountToken false on the `default` ServiceAccount. A patch (server-side apply
   * of this one field), since Kubernetes owns the object; it creates the account if the controller
   * has not yet, and gives the field back when removed.
   */
  public readonly defaultServiceAccount: k8s.core.v1.ServiceAccountPatch;
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
    this.defaultServiceAccount = new k8s.core.v1.ServiceAccountPatch(
      `${name}-default-sa`,
      {
        metadata: { name: DEFAULT_SERVICE_ACCOUNT.name, namespace: this.name },
        automountServiceAccountToken: DEFAULT_SERVICE_ACCOUNT.automountServiceAccountToken,
      },
      { parent: this },
    );
    this.registerOutputs({ name: this.name });
  }
}

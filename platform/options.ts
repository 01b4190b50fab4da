// Resource options shared by components: what makes production data hard to lose.
import * as pulumi from "@pulumi/pulumi";

/**
 * Options for a stateful resource (Namespace, credential Secrets and their RandomPasswords,
 * database/cache/monitoring releases, PVCs). In production they are protected: `pulumi destroy`
 * and any change that would replace them (a new release name or namespace) fail instead of
 * deleting data. Decommissioning is deliberate: see docs/operations.md.
 */
export function statefulOptions(
  isProduction: boolean,
  parent: pulumi.Resource,
  extra: pulumi.CustomResourceOptions = {},
): pulumi.CustomResourceOptions {
  return { ...extra, parent, protect: isProduction };
}

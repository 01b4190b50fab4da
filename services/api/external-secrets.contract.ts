// Facts of the two cluster add-ons the API's external secrets rely on, neither installed by this
// program: the External Secrets Operator's ExternalSecret resource (API group and version served by
// current operator releases; v1beta1 is no longer served) and Stakater Reloader's annotation.

export const EXTERNAL_SECRETS = {
  apiVersion: "external-secrets.io/v1",
  kind: "ExternalSecret",
  /** The operator's default when an ExternalSecret sets no refreshInterval. */
  defaultRefreshInterval: "1h",
} as const;

/**
 * Reloader rolls a Deployment whose metadata carries this annotation when the data of one of the
 * named Secrets (comma-separated) changes; an unchanged re-sync leaves the pods alone.
 */
export const RELOADER = { secretReload: "secret.reloader.stakater.com/reload" } as const;

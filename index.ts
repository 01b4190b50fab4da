// ape-2026: load and validate the stack configuration, then deploy the stack through one
// explicit Kubernetes provider. The outputs tell a user where everything is.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./stack";
import { resolveDatabase } from "./services/postgresql";
import { resolveNeo4j } from "./services/neo4j";
import { resolveRedis } from "./services/redis";
import { ApeStack } from "./stack/stack";
import { capturePromiseStacksOnlyWhenDebugging } from "./runtime/promise-stacks";

capturePromiseStacksOnlyWhenDebugging();
const config = loadStackConfig();

// enablePatchForce: a field this program declares and someone changed with kubectl (kubectl set
// image, scale, edit) belongs to that field manager afterwards; without force every server-side
// apply of it fails with a field conflict, so `pulumi up --refresh` could not restore the declared
// state. Fields a resource lists in ignoreChanges (the API's spec.replicas under its HPA) are left
// to whoever sets them: the provider drops them from the apply once another manager owns them.
const provider = new k8s.Provider("kubernetes", {
  context: config.cluster.context,
  kubeconfig: config.cluster.kubeconfig,
  namespace: config.namespace.name,
  enablePatchForce: true,
});

const stack = new ApeStack("ape-2026", { config }, { providers: { kubernetes: provider } });

export const environment = config.environment;
export const namespace = stack.namespace;
/** PostgreSQL host, port, database, user and the Secret holding the user's password. */
export const database = resolveDatabase(stack.database);
/** Redis endpoint (Sentinel hosts and master set in production) and its password Secret. */
export const redis = resolveRedis(stack.redis);
/** Neo4j's bolt URI, user and the Secret holding the password; undefined when the stack has no Neo4j. */
export const neo4j = stack.neo4j ? resolveNeo4j(stack.neo4j) : undefined;
/** The API's public URL (https://<first Ingress host>). */
export const url = stack.url;
/** Self-signed stacks: the CA certificate to trust, e.g. `pulumi stack output caCertificate > ca.crt`. */
export const caCertificate = stack.caCertificate;

// Monitoring (no Ingress for these: reach them with kubectl port-forward).
export const prometheusPortForward = stack.monitoring.access.prometheusPortForward;
export const prometheusUrl = stack.monitoring.access.prometheusUrl;
export const grafanaPortForward = stack.monitoring.access.grafanaPortForward;
export const grafanaUrl = stack.monitoring.access.grafanaUrl;
export const grafanaAdminUser = stack.monitoring.grafana?.adminUser;
export const grafanaAdminPassword = stack.monitoring.grafana?.adminPassword;
export const grafanaAdminPasswordCommand = stack.monitoring.grafana
  ? `pulumi stack output --show-secrets grafanaAdminPassword -s ${pulumi.getStack()}`
  : undefined;

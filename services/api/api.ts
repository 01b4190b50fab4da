// The APE 2026 API workload: ServiceAccount, ConfigMap, Secret, volumes, Deployment, Service, HPA
// and PDB, driven by the `api` config section and the data-service endpoints. Object shapes come
// from the pure builders in ./api.build.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ApiConfig } from "./api.settings";
import { DatabaseEndpoint } from "../postgresql";
import { Neo4jEndpoint } from "../neo4j";
import { RedisEndpoint } from "../redis";
import { statefulOptions } from "../../platform/options";
import { claimClass } from "../../platform/persistence";
import {
  checksum,
  configData,
  credentialEnv,
  deploymentSpec,
  externalSecretSpec,
  HPA_OWNED_FIELDS,
  hasSecretData,
  hpaSpec,
  pdbSpec,
  pvcName,
  reloaderAnnotations,
  resolveEndpoints,
  secretData,
  trustMounts,
} from "./api.build";
import { API_EXTERNAL_SECRET, API_NAME, API_PORT_NAMES, apiLabels, apiSelectorLabels } from "./api.contract";
import { EXTERNAL_SECRETS } from "./external-secrets.contract";

export interface ApiArgs {
  /** The validated `api` section of StackConfig. */
  readonly config: ApiConfig;
  /** Namespace for every object (the stack's Namespace output, so objects wait for it). */
  readonly namespace: pulumi.Input<string>;
  /** Where PostgreSQL is and which Secret holds the application user's password. */
  readonly database: DatabaseEndpoint;
  /** Where Redis (or its Sentinels) is and which Secret holds its password. */
  readonly redis: RedisEndpoint;
  /** Where Neo4j is and which Secret holds its password; undefined when the stack has none. */
  readonly neo4j?: Neo4jEndpoint;
  /** Protect the PVCs (production). */
  readonly isProduction: boolean;
}

export class Api extends pulumi.ComponentResource {
  public readonly serviceAccount: k8s.core.v1.ServiceAccount;
  public readonly configMap: k8s.core.v1.ConfigMap;
  /** API keys and generated credentials; absent when there are none. */
  public readonly secret?: k8s.core.v1.Secret;
  /** The ExternalSecret that fills the API's external Secret (api.externalSecrets); absent without one. */
  public readonly externalSecret?: k8s.apiextensions.CustomResource;
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly service: k8s.core.v1.Service;
  public readonly hpa?: k8s.autoscaling.v2.HorizontalPodAutoscaler;
  public readonly pdb?: k8s.policy.v1.PodDisruptionBudget;
  public readonly pvcs: k8s.core.v1.PersistentVolumeClaim[] = [];
  /** Service name (stable DNS name `api`) and ports, for the Ingress and NetworkPolicies. */
  public readonly serviceName: pulumi.Output<string>;
  public readonly httpPort: number;
  public readonly metricsPort: number;

  constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:app:Api", name, {}, opts);
    const { config: api, namespace } = args;
    const labels = apiLabels();
    const meta = (extra: { name?: string } = {}) => ({ ...extra, namespace, labels });

    this.serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      // The API does not call the Kubernetes API: no token in the pod, no RBAC.
      { metadata: meta({ name: API_NAME }), automountServiceAccountToken: false },
      { parent: this },
    );

    // Rolling on a settings change: the ConfigMap is auto-named AND the pod template carries
    // checksum/config of its data. The checksum rolls the pods whatever the provider does with the
    // changed ConfigMap (replace under a new name by default; update in place if
    // enableConfigMapMutable is on, which alone would not restart anything). Auto-naming means a
    // replacement is created before the old one is deleted, so no pod ever references a missing
    // ConfigMap (a fixed name would be delete-before-replace).
    const data = resolveEndpoints(args.database, args.redis, args.neo4j).apply((endpoints) => configData(api.env, endpoints));
    this.configMap = new k8s.core.v1.ConfigMap(`${name}-config`, { metadata: meta(), data }, { parent: this });

    // Auto-named too: new credentials or API keys replace the Secret under a new name, which
    // changes the pod template and rolls the pods (no checksum of secret values anywhere).
    if (hasSecretData(api.secrets, args.database, args.redis)) {
      this.secret = new k8s.core.v1.Secret(
        `${name}-secrets`,
        { metadata: meta(), type: "Opaque", stringData: secretData(api.secrets, args.database, args.redis) },
        { parent: this },
      );
    }

    // Variables from an external secret manager: the External Secrets Operator (a cluster add-on this
    // program does not install) reads them from the store and writes the Secret the pods read.
    if (api.externalSecrets) {
      this.externalSecret = new k8s.apiextensions.CustomResource(
        `${name}-external-secrets`,
        {
          apiVersion: EXTERNAL_SECRETS.apiVersion,
          kind: EXTERNAL_SECRETS.kind,
          metadata: meta({ name: API_EXTERNAL_SECRET }),
          spec: externalSecretSpec(api.externalSecrets),
        },
        { parent: this },
      );
    }

    for (const [volume, v] of Object.entries(api.volumes)) {
      if (v.type !== "pvc") continue;
      const storage = claimClass(v.storageClass);
      this.pvcs.push(
        new k8s.core.v1.PersistentVolumeClaim(
          `${name}-${volume}`,
          {
            metadata: meta({ name: pvcName(volume) }),
            spec: {
              accessModes: v.accessModes,
              resources: { requests: { storage: v.size } },
              ...storage.spec,
            },
          },
          statefulOptions(args.isProduction, this, storage.options),
        ),
      );
    }

    this.deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: { ...meta({ name: API_NAME }), ...(api.reloadOnSecretChange ? { annotations: reloaderAnnotations(api) } : {}) },
        spec: deploymentSpec(api, {
          serviceAccountName: this.serviceAccount.metadata.name,
          configMapName: this.configMap.metadata.name,
          secretName: this.secret?.metadata.name,
          externalSecretName: this.externalSecret ? API_EXTERNAL_SECRET : undefined,
          configChecksum: data.apply(checksum),
          credentialEnv: credentialEnv(args.database, args.redis, args.neo4j),
          trust: trustMounts(args.database, args.redis, args.neo4j),
        }),
      },
      {
        parent: this,
        dependsOn: [...this.pvcs, ...(this.externalSecret ? [this.externalSecret] : [])],
        // Created at full size; afterwards the HPA sets the count and no `pulumi up` touches it.
        ...(api.autoscaling.enabled ? { ignoreChanges: HPA_OWNED_FIELDS } : {}),
      },
    );

    this.httpPort = api.ports.http;
    this.metricsPort = api.ports.metrics;
    this.service = new k8s.core.v1.Service(
      name,
      {
        metadata: meta({ name: API_NAME }),
        spec: {
          type: "ClusterIP",
          selector: apiSelectorLabels(),
          ports: [
            { name: API_PORT_NAMES.http, port: api.ports.http, targetPort: API_PORT_NAMES.http, protocol: "TCP" },
            { name: API_PORT_NAMES.metrics, port: api.ports.metrics, targetPort: API_PORT_NAMES.metrics, protocol: "TCP" },
          ],
        },
      },
      { parent: this },
    );
    this.serviceName = this.service.metadata.name;

    if (api.autoscaling.enabled) {
      this.hpa = new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        name,
        { metadata: meta({ name: API_NAME }), spec: hpaSpec(api, this.deployment.metadata.name) },
        { parent: this },
      );
    }
    if (api.podDisruptionBudget.enabled) {
      this.pdb = new k8s.policy.v1.PodDisruptionBudget(name, { metadata: meta({ name: API_NAME }), spec: pdbSpec(api) }, { parent: this });
    }

    this.registerOutputs({ serviceName: this.serviceName, httpPort: this.httpPort, metricsPort: this.metricsPort });
  }
}

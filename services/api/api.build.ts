// Pure builders for the API's Kubernetes objects: settings, credentials, pod template, HPA, PDB.
// No resources are created here, so tests call these directly without mocks.
import * as crypto from "crypto";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ApiConfig, ApiVolume, EMPTY_DIR_SIZE_LIMIT, ExternalSecretsConfig, resolvePort } from "./api.settings";
import { DatabaseEndpoint, ResolvedDatabase, resolveDatabase } from "../postgresql";
import { Neo4jEndpoint, ResolvedNeo4j, resolveNeo4j } from "../neo4j";
import { RedisEndpoint, ResolvedRedis, resolveRedis } from "../redis";
import { API_EXTERNAL_SECRET, API_NAME, API_PORT_NAMES, API_UID, apiLabels, apiSelectorLabels } from "./api.contract";
import { RELOADER } from "./external-secrets.contract";
import type { TrustedCa } from "../../platform/internal-tls";

/** The image reference: [registry/]repository:tag, or repository@digest for a sha256 "tag". */
function imageRef(image: ApiConfig["image"]): string {
  const repo = image.registry ? `${image.registry.replace(/\/+$/, "")}/${image.repository}` : image.repository;
  if (image.tag === "") return repo;
  return image.tag.startsWith("sha256:") ? `${repo}@${image.tag}` : `${repo}:${image.tag}`;
}

/** The data services the API may verify with a CA (internalTls). */
type DataService = "postgresql" | "redis" | "neo4j";

/** Where the API container finds the CA of each data service that speaks TLS: `<dir>/<service>/ca.crt`. */
const CA_DIR = "/etc/ape-2026/ca";
const caFile = (service: DataService, key: string): string => `${CA_DIR}/${service}/${key}`;

/** A CA ConfigMap the API mounts: whose, which ConfigMap, which key. */
export interface TrustMount {
  readonly service: DataService;
  readonly ca: TrustedCa;
}

/** One CA mount per data service that speaks TLS (each its own directory, whatever ConfigMap it names). */
export function trustMounts(database: DatabaseEndpoint, redis: RedisEndpoint, neo4j?: Neo4jEndpoint): TrustMount[] {
  const mounts: TrustMount[] = [];
  if (database.tls) mounts.push({ service: "postgresql", ca: database.tls });
  if (redis.tls) mounts.push({ service: "redis", ca: redis.tls });
  if (neo4j?.tls) mounts.push({ service: "neo4j", ca: neo4j.tls });
  return mounts;
}

/** Endpoint facts with every Input resolved: what the ConfigMap is computed from. */
export interface ResolvedEndpoints {
  readonly database: ResolvedDatabase;
  readonly redis: ResolvedRedis;
  /** Undefined when the stack has no Neo4j. */
  readonly neo4j?: ResolvedNeo4j;
}

export function resolveEndpoints(
  database: DatabaseEndpoint,
  redis: RedisEndpoint,
  neo4j?: Neo4jEndpoint,
): pulumi.Output<ResolvedEndpoints> {
  return pulumi
    .all([resolveDatabase(database), resolveRedis(redis), neo4j ? resolveNeo4j(neo4j) : undefined])
    .apply(([db, r, graph]) => ({ database: db, redis: r, ...(graph ? { neo4j: graph } : {}) }));
}

/**
 * The ConfigMap data: `api.env` (stringified) plus the computed endpoints. Never holds a secret:
 * passwords and `api.secrets` go to the Secret (see secretData / credentialEnv).
 */
export function configData(env: ApiConfig["env"], endpoints: ResolvedEndpoints): Record<string, string> {
  const { database: db, redis } = endpoints;
  const data: Record<string, string> = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
  Object.assign(data, {
    DATABASE_HOST: db.host,
    DATABASE_PORT: String(db.port),
    DATABASE_NAME: db.database,
    DATABASE_USER: db.username,
    REDIS_MODE: redis.mode,
    REDIS_HOST: redis.host,
    REDIS_PORT: String(redis.port),
  });
  // TLS inside the cluster: verify the server's certificate and its name (verify-full) with the CA.
  if (db.tls) {
    data.DATABASE_SSLMODE = "verify-full";
    data.DATABASE_SSLROOTCERT = caFile("postgresql", db.tls.key);
  }
  if (redis.tls) {
    // Redis and its sentinels both: the chart switches TLS on for both or neither.
    data.REDIS_TLS = "true";
    data.REDIS_CA_FILE = caFile("redis", redis.tls.key);
  }
  if (redis.mode === "sentinel" && redis.sentinel) {
    data.REDIS_SENTINEL_HOSTS = redis.sentinel.hosts.map((h) => `${h}:${redis.sentinel!.port}`).join(",");
    data.REDIS_SENTINEL_MASTER_SET = redis.sentinel.masterSet;
  }
  if (endpoints.neo4j) {
    data.NEO4J_URI = endpoints.neo4j.uri;
    data.NEO4J_USERNAME = endpoints.neo4j.username;
    if (endpoints.neo4j.tls) data.NEO4J_CA_FILE = caFile("neo4j", endpoints.neo4j.tls.key);
  }
  return data;
}

/** A stable digest of ConfigMap data (key order does not matter). */
export function checksum(data: Record<string, string>): string {
  const canonical = JSON.stringify(
    Object.keys(data)
      .sort()
      .map((k) => [k, data[k]]),
  );
  return crypto.createHash("sha256").update(canonical).digest("hex");
}

/**
 * The libpq-style URL; user and password are percent-encoded. With TLS it carries
 * sslmode=verify-full and the CA file (libpq's parameters, read by most PostgreSQL clients).
 */
function databaseUrl(
  db: { host: string; port: number; database: string; username: string; tls?: { key: string } },
  password: string,
): string {
  const url = `postgresql://${encodeURIComponent(db.username)}:${password}@${db.host}:${db.port}/${encodeURIComponent(db.database)}`;
  if (!db.tls) return url;
  return `${url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile("postgresql", db.tls.key))}`;
}

/**
 * Whether the API needs its own Secret: API keys, or passwords this program generated. An empty
 * Secret is never created: the API server stores no stringData for it, so every preview would
 * see a difference and replace it.
 */
export function hasSecretData(secrets: ApiConfig["secrets"], database: DatabaseEndpoint, redis: RedisEndpoint): boolean {
  return Object.keys(secrets).length > 0 || database.password !== undefined || redis.password !== undefined;
}

/**
 * The Secret's stringData: `api.secrets` plus the credentials this program generated (when the
 * endpoints carry the password itself). A secret Output throughout.
 */
export function secretData(
  secrets: ApiConfig["secrets"],
  database: DatabaseEndpoint,
  redis: RedisEndpoint,
): pulumi.Output<Record<string, string>> {
  const data = pulumi
    .all([pulumi.all(secrets), database.host, database.password, redis.password])
    .apply(([api, dbHost, dbPassword, redisPassword]) => {
      const data: Record<string, string> = { ...api };
      if (dbPassword !== undefined) {
        data.DATABASE_PASSWORD = dbPassword;
        data.DATABASE_URL = databaseUrl({ ...database, host: dbHost }, encodeURIComponent(dbPassword));
      }
      if (redisPassword !== undefined) data.REDIS_PASSWORD = redisPassword;
      return data;
    });
  return pulumi.secret(data);
}

/**
 * Container env for credentials that live in someone else's Secret (no password Output given):
 * secretKeyRef, and DATABASE_URL assembled by the kubelet via $(DATABASE_PASSWORD) expansion,
 * so the password is never copied into a spec. Empty where the Secret already carries them.
 * NEO4J_PASSWORD always comes by secretKeyRef: from the Secret the Neo4j chart reads, or the
 * external one.
 */
export function credentialEnv(database: DatabaseEndpoint, redis: RedisEndpoint, neo4j?: Neo4jEndpoint): k8s.types.input.core.v1.EnvVar[] {
  const env: k8s.types.input.core.v1.EnvVar[] = [];
  if (database.password === undefined) {
    env.push({
      name: "DATABASE_PASSWORD",
      valueFrom: { secretKeyRef: { name: database.passwordSecret.name, key: database.passwordSecret.key } },
    });
    env.push({
      name: "DATABASE_URL",
      // The kubelet expands $(DATABASE_PASSWORD) from the variable above.
      value: pulumi.output(database.host).apply((host) => databaseUrl({ ...database, host }, "$(DATABASE_PASSWORD)")),
    });
  }
  if (redis.password === undefined && redis.passwordSecret) {
    env.push({ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: redis.passwordSecret.name, key: redis.passwordSecret.key } } });
  }
  if (neo4j) {
    env.push({ name: "NEO4J_PASSWORD", valueFrom: { secretKeyRef: { name: neo4j.passwordSecret.name, key: neo4j.passwordSecret.key } } });
  }
  return env;
}

/** Names of the PVCs for the volumes configured as `pvc` (fixed, so a claim survives updates). */
export const pvcName = (volume: string): string => `${API_NAME}-${volume}`;

function podVolume(name: string, v: ApiVolume): k8s.types.input.core.v1.Volume {
  return v.type === "pvc"
    ? { name, persistentVolumeClaim: { claimName: pvcName(name) } }
    : { name, emptyDir: { sizeLimit: v.sizeLimit ?? EMPTY_DIR_SIZE_LIMIT } };
}

function httpProbe(p: ApiConfig["probes"]["liveness"], port: number): k8s.types.input.core.v1.Probe {
  return {
    httpGet: { path: p.path, port },
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
  };
}

/** prometheus.io/* scrape annotations (the prometheus chart's kubernetes-pods job reads them). */
function scrapeAnnotations(api: ApiConfig): Record<string, string> {
  if (!api.metrics.enabled) return {};
  return {
    "prometheus.io/scrape": "true",
    "prometheus.io/port": String(resolvePort(api.metrics.port, api.ports)),
    "prometheus.io/path": api.metrics.path,
  };
}

/** Spread across nodes and zones; matchLabelKeys keeps old and new ReplicaSets apart in a rollout. */
function topologySpread(api: ApiConfig): k8s.types.input.core.v1.TopologySpreadConstraint[] {
  if (!api.topologySpread.enabled) return [];
  return ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({
    topologyKey,
    maxSkew: api.topologySpread.maxSkew,
    whenUnsatisfiable: api.topologySpread.whenUnsatisfiable,
    labelSelector: { matchLabels: apiSelectorLabels() },
    matchLabelKeys: ["pod-template-hash"],
  }));
}

/** Where the API pods may run: node selector, tolerations, affinity and priority, each only when set. */
function scheduling(api: ApiConfig): Partial<k8s.types.input.core.v1.PodSpec> {
  return {
    ...(Object.keys(api.nodeSelector).length > 0 ? { nodeSelector: api.nodeSelector } : {}),
    ...(api.tolerations.length > 0 ? { tolerations: api.tolerations } : {}),
    ...(Object.keys(api.affinity).length > 0 ? { affinity: api.affinity as k8s.types.input.core.v1.Affinity } : {}),
    ...(api.priorityClassName ? { priorityClassName: api.priorityClassName } : {}),
  };
}

export interface PodRefs {
  readonly serviceAccountName: pulumi.Input<string>;
  readonly configMapName: pulumi.Input<string>;
  /** The API's own Secret; undefined when it has nothing to hold (see hasSecretData). */
  readonly secretName?: pulumi.Input<string>;
  /** The Secret the External Secrets Operator writes (api.externalSecrets); undefined without one. */
  readonly externalSecretName?: pulumi.Input<string>;
  /** checksum() of the ConfigMap data: a change rolls the pods. */
  readonly configChecksum: pulumi.Input<string>;
  readonly credentialEnv: k8s.types.input.core.v1.EnvVar[];
  /** The data services' CAs to mount (see trustMounts). */
  readonly trust: readonly TrustMount[];
}

/**
 * The sources of the API's environment, in precedence order: a key in a later source wins over the
 * same key in an earlier one (and `env`, the credential references, wins over all). api.existingSecret
 * comes first, since the program cannot see its keys: whatever the stack file sets (api.env, the
 * endpoints, api.externalSecrets, api.secrets and the generated credentials) takes precedence.
 */
export function envFrom(
  api: Pick<ApiConfig, "existingSecret">,
  refs: Pick<PodRefs, "configMapName" | "secretName" | "externalSecretName">,
): k8s.types.input.core.v1.EnvFromSource[] {
  return [
    ...(api.existingSecret !== undefined ? [{ secretRef: { name: api.existingSecret } }] : []),
    { configMapRef: { name: refs.configMapName } },
    ...(refs.externalSecretName ? [{ secretRef: { name: refs.externalSecretName } }] : []),
    ...(refs.secretName ? [{ secretRef: { name: refs.secretName } }] : []),
  ];
}

/** The ExternalSecret's spec: read each mapped variable from the store into the API's external Secret. */
export function externalSecretSpec(cfg: ExternalSecretsConfig, targetName: string = API_EXTERNAL_SECRET): Record<string, unknown> {
  return {
    secretStoreRef: { name: cfg.storeRef.name, kind: cfg.storeRef.kind },
    refreshInterval: cfg.refreshInterval,
    // Owner: the Secret belongs to the ExternalSecret and goes away with it.
    target: { name: targetName, creationPolicy: "Owner" },
    data: Object.keys(cfg.data)
      .sort()
      .map((env) => ({
        secretKey: env,
        remoteRef: { key: cfg.data[env].key, ...(cfg.data[env].property !== undefined ? { property: cfg.data[env].property } : {}) },
      })),
  };
}

/**
 * Deployment annotations for Stakater Reloader when api.reloadOnSecretChange is on: roll the pods
 * when the data of the externally managed Secrets changes. Off, nothing rolls them: a refresh that
 * finds the same values changes nothing, and changed values reach the pods at their next restart.
 */
export function reloaderAnnotations(
  api: Pick<ApiConfig, "reloadOnSecretChange" | "externalSecrets" | "existingSecret">,
): Record<string, string> {
  if (!api.reloadOnSecretChange) return {};
  const watched = [api.externalSecrets ? API_EXTERNAL_SECRET : undefined, api.existingSecret].filter((n): n is string => n !== undefined);
  return watched.length > 0 ? { [RELOADER.secretReload]: watched.join(",") } : {};
}

function podTemplate(api: ApiConfig, refs: PodRefs): k8s.types.input.core.v1.PodTemplateSpec {
  const probePort = resolvePort(api.probes.port, api.ports)!;
  const volumes = Object.entries(api.volumes);
  return {
    metadata: {
      labels: apiLabels(),
      annotations: { ...api.podAnnotations, ...scrapeAnnotations(api), "checksum/config": refs.configChecksum },
    },
    spec: {
      serviceAccountName: refs.serviceAccountName,
      automountServiceAccountToken: false,
      ...(api.imagePullSecrets.length > 0 ? { imagePullSecrets: api.imagePullSecrets.map((name) => ({ name })) } : {}),
      securityContext: {
        runAsNonRoot: true,
        runAsUser: API_UID,
        runAsGroup: API_UID,
        fsGroup: API_UID,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
      },
      terminationGracePeriodSeconds: api.terminationGracePeriodSeconds,
      ...(api.topologySpread.enabled ? { topologySpreadConstraints: topologySpread(api) } : {}),
      ...scheduling(api),
      containers: [
        {
          name: API_NAME,
          image: imageRef(api.image),
          imagePullPolicy: api.image.pullPolicy,
          ...(api.command ? { command: api.command } : {}),
          ...(api.args.length > 0 ? { args: api.args } : {}),
          ports: [
            { name: API_PORT_NAMES.http, containerPort: api.ports.http, protocol: "TCP" },
            { name: API_PORT_NAMES.metrics, containerPort: api.ports.metrics, protocol: "TCP" },
          ],
          envFrom: envFrom(api, refs),
          ...(refs.credentialEnv.length > 0 ? { env: refs.credentialEnv } : {}),
          resources: api.resources,
          startupProbe: httpProbe(api.probes.startup, probePort),
          livenessProbe: httpProbe(api.probes.liveness, probePort),
          readinessProbe: httpProbe(api.probes.readiness, probePort),
          // The Service drops a terminating pod from its endpoints asynchronously; sleeping first lets
          // ingress and kube-proxy catch up before the app gets SIGTERM (sleep action: Kubernetes >= 1.30,
          // no shell or sleep binary needed in the image).
          ...(api.preStopSleepSeconds > 0 ? { lifecycle: { preStop: { sleep: { seconds: api.preStopSleepSeconds } } } } : {}),
          securityContext: {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
          },
          volumeMounts: [
            { name: "tmp", mountPath: "/tmp" },
            ...volumes.map(([name, v]) => ({ name, mountPath: v.mountPath })),
            ...refs.trust.map((t) => ({ name: `ca-${t.service}`, mountPath: `${CA_DIR}/${t.service}`, readOnly: true })),
          ],
        },
      ],
      volumes: [
        { name: "tmp", emptyDir: { sizeLimit: api.tmpSizeLimit } },
        ...volumes.map(([name, v]) => podVolume(name, v)),
        ...refs.trust.map((t) => ({
          name: `ca-${t.service}`,
          configMap: { name: t.ca.configMap, items: [{ key: t.ca.key, path: t.ca.key }] },
        })),
      ],
    },
  };
}

/**
 * The Deployment's spec.replicas. Autoscaling off: api.replicaCount. On: the size the Deployment is
 * created with, so that the first rollout starts at full size (the PDB's minAvailable can be met and
 * `pulumi up` waits for that many Ready pods) instead of one pod the HPA raises a little later:
 * replicaCount, at least minReplicas and at most maxReplicas (the HPA would move it into that range
 * at once). After the creation the count belongs to the HPA: the component lists the field in
 * ignoreChanges (HPA_OWNED_FIELDS), so no later update sets it.
 */
function deploymentReplicas(api: Pick<ApiConfig, "replicaCount" | "autoscaling">): number {
  if (!api.autoscaling.enabled) return api.replicaCount;
  return Math.min(Math.max(api.replicaCount, api.autoscaling.minReplicas), api.autoscaling.maxReplicas);
}

/**
 * Deployment fields the HPA owns once it runs: ignoreChanges on them means the engine keeps their
 * last applied value in every diff (no change shown, none sent), and the provider's server-side
 * apply either leaves a field the HPA has since written to its manager or re-applies the live value
 * (never the configured one). A creation is not an update: ignoreChanges does not apply to it, so
 * the Deployment is created with deploymentReplicas.
 */
export const HPA_OWNED_FIELDS = ["spec.replicas"];

export function deploymentSpec(api: ApiConfig, refs: PodRefs): k8s.types.input.apps.v1.DeploymentSpec {
  return {
    replicas: deploymentReplicas(api),
    selector: { matchLabels: apiSelectorLabels() },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: api.rollingUpdate.maxSurge } },
    template: podTemplate(api, refs),
  };
}

type ScalingPolicy = ApiConfig["autoscaling"]["behavior"]["scaleUp"];

function scalingRules(p: ScalingPolicy): k8s.types.input.autoscaling.v2.HPAScalingRules {
  const policies: k8s.types.input.autoscaling.v2.HPAScalingPolicy[] = [];
  if (p.percent !== undefined) policies.push({ type: "Percent", value: p.percent, periodSeconds: p.periodSeconds });
  if (p.pods !== undefined) policies.push({ type: "Pods", value: p.pods, periodSeconds: p.periodSeconds });
  return { stabilizationWindowSeconds: p.stabilizationWindowSeconds, selectPolicy: p.selectPolicy, policies };
}

/**
 * The HPA. Default behaviour: scale up by 100% and by 2 pods per 30 s with selectPolicy Max, i.e.
 * whichever allows more pods: at small counts the +2 pods rule wins (1 -> 3 rather than 1 -> 2),
 * at larger counts doubling wins, so a load spike is met quickly (Min would throttle to the slower
 * rule and leave users waiting). Scale down is cautious: 50% per 60 s after a 300 s window.
 */
export function hpaSpec(api: ApiConfig, deploymentName: pulumi.Input<string>): k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec {
  const a = api.autoscaling;
  const utilization = (name: string, averageUtilization: number) => ({
    type: "Resource",
    resource: { name, target: { type: "Utilization", averageUtilization } },
  });
  return {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deploymentName },
    minReplicas: a.minReplicas,
    maxReplicas: a.maxReplicas,
    metrics: [utilization("cpu", a.targetCPUUtilizationPercentage), utilization("memory", a.targetMemoryUtilizationPercentage)],
    behavior: { scaleUp: scalingRules(a.behavior.scaleUp), scaleDown: scalingRules(a.behavior.scaleDown) },
  };
}

/** minAvailable below the minimum replica count (config validation guarantees it). */
export function pdbSpec(api: ApiConfig): k8s.types.input.policy.v1.PodDisruptionBudgetSpec {
  return {
    minAvailable: api.podDisruptionBudget.minAvailable,
    selector: { matchLabels: apiSelectorLabels() },
    // A crash-looping pod should not block a node drain.
    unhealthyPodEvictionPolicy: "AlwaysAllow",
  };
}

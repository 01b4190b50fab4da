// Pure values builder for Neo4j's official chart (5.26.x): config in, chart values out. The
// password never appears here: the chart mounts the Secret named in neo4j.passwordFromSecret.
import { parseQuantity } from "../../config/quantity";
import { Neo4jConfig, neo4jMemory } from "./neo4j.settings";
import { ImagesConfig } from "../../platform/platform.settings";
import { PART_OF } from "../../platform/labels";
import { imageRegistry, pullSecretNames } from "../../platform/images";
import { NEO4J } from "./neo4j.contract";
import { certificateAnnotations, INTERNAL_TLS, ServerTlsValues } from "../../platform/internal-tls";

/**
 * Pod context for Pod Security "restricted" (the chart sets uid/gid 7474 but no seccomp profile).
 * `OnRootMismatch`: the kubelet re-owns the volume only when its root does not already belong to
 * the fsGroup; the chart's `Always` walks every file of a 200Gi store at every start.
 */
const RESTRICTED_POD = {
  runAsNonRoot: true,
  runAsUser: NEO4J.uid,
  runAsGroup: NEO4J.uid,
  fsGroup: NEO4J.uid,
  fsGroupChangePolicy: "OnRootMismatch",
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Container context for "restricted". The root filesystem stays writable: the image's entrypoint
 * writes the effective neo4j.conf under /var/lib/neo4j/conf and a pid file under
 * /var/lib/neo4j/run at every start (see the policy pack's documented exception).
 */
const RESTRICTED_CONTAINER = {
  runAsNonRoot: true,
  runAsUser: NEO4J.uid,
  runAsGroup: NEO4J.uid,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
  readOnlyRootFilesystem: false,
};

/** Neo4j's byte setting in whole mebibytes ("640m"; Neo4j's k/m/g suffixes are powers of 1024). */
const mebibytes = (bytes: number): string => `${Math.floor(bytes / 2 ** 20)}m`;

/** neo4j.conf settings: memory (see neo4jMemory for the rule) and, for Enterprise, the Prometheus endpoint. */
export function neo4jSettings(cfg: Neo4jConfig): Record<string, string> {
  const limit = parseQuantity(cfg.resources.limits!.memory!)!;
  const { heap, pagecache } = neo4jMemory(limit, cfg.memory);
  const settings: Record<string, string> = {
    "server.memory.heap.initial_size": mebibytes(heap),
    "server.memory.heap.max_size": mebibytes(heap),
    "server.memory.pagecache.size": mebibytes(pagecache),
  };
  if (cfg.edition === "enterprise") {
    // Neo4j's default endpoint listens on localhost only, which Prometheus in another pod cannot reach.
    Object.assign(settings, {
      "server.metrics.enabled": "true",
      "server.metrics.prometheus.enabled": "true",
      "server.metrics.prometheus.endpoint": `0.0.0.0:${NEO4J.ports.metrics}`,
    });
  }
  return settings;
}

/** The data volume: a claim of the configured class, or of the cluster's default class when unset. */
function dataVolume(persistence: Neo4jConfig["persistence"]): Record<string, unknown> {
  const claim = { accessModes: ["ReadWriteOnce"], requests: { storage: persistence.size } };
  return persistence.storageClass
    ? { mode: "dynamic", dynamic: { storageClassName: persistence.storageClass, ...claim } }
    : { mode: "defaultStorageClass", defaultStorageClass: claim };
}

/**
 * The image: the chart's own choice (neo4j:<appVersion>[-enterprise] from Docker Hub) unless a
 * mirror is configured; then the same repository and tag below the mirror.
 */
function imageValues(cfg: Neo4jConfig, images: ImagesConfig, chartVersion: string): Record<string, unknown> {
  const registry = imageRegistry(images, NEO4J.images.registry);
  const tag = `${chartVersion}${cfg.edition === "enterprise" ? NEO4J.images.enterpriseSuffix : ""}`;
  return {
    imagePullPolicy: "IfNotPresent",
    ...(images.registry !== undefined ? { customImage: `${registry!.replace(/\/+$/, "")}/${NEO4J.images.repository}:${tag}` } : {}),
    ...(images.pullSecrets.length > 0 ? { imagePullSecrets: pullSecretNames(images) } : {}),
  };
}

export interface Neo4jValuesArgs {
  readonly config: Neo4jConfig;
  readonly images: ImagesConfig;
  /** The credentials Secret (key NEO4J_AUTH = "neo4j/<password>"). */
  readonly secretName: string;
  /** The pinned chart version (the image tag follows it). */
  readonly chartVersion: string;
  /** The server certificate (internalTls); undefined: Bolt in plain text. */
  readonly tls?: ServerTlsValues;
}

/**
 * Bolt with TLS only: the chart mounts the certificate and key from the Secret, enables the bolt
 * SSL policy and sets server.bolt.tls_level REQUIRED once a private key Secret is named; the
 * policy's trusted directory gets the stack's CA (client certificates are not asked for).
 */
function boltTls(tls: ServerTlsValues): Record<string, unknown> {
  return {
    bolt: {
      privateKey: { secretName: tls.secretName, subPath: INTERNAL_TLS.keys.key },
      publicCertificate: { secretName: tls.secretName, subPath: INTERNAL_TLS.keys.cert },
      trustedCerts: {
        sources: [{ configMap: { name: tls.caConfigMap, items: [{ key: INTERNAL_TLS.keys.ca, path: INTERNAL_TLS.keys.ca }] } }],
      },
    },
  };
}

/**
 * Values of one Neo4j release: the standalone server, or one member of the Enterprise cluster (all
 * members take the same values; only the release name differs).
 */
export function neo4jValues(args: Neo4jValuesArgs): Record<string, unknown> {
  const { config: cfg } = args;
  const enterprise = cfg.edition === "enterprise";
  return {
    // `lookup` would read the live cluster during render (the Secret, a shared load balancer);
    // off, the render depends on the values alone, so previews show what an update applies.
    disableLookups: true,
    neo4j: {
      name: NEO4J.name,
      edition: cfg.edition,
      // Config validation refuses enterprise unless neo4j.acceptLicenseAgreement is true.
      acceptLicenseAgreement: enterprise && cfg.acceptLicenseAgreement ? "yes" : "no",
      ...(enterprise ? { minimumClusterSize: NEO4J.clusterSize } : {}),
      passwordFromSecret: args.secretName,
      resources: cfg.resources,
      labels: { "app.kubernetes.io/name": "neo4j", "app.kubernetes.io/part-of": PART_OF },
    },
    // The chart's install notes would otherwise print the initial password.
    logInitialPassword: false,
    volumes: { data: dataVolume(cfg.persistence) },
    // The chart's shared `<name>-lb-neo4j` Service is a LoadBalancer by default, and in cluster mode
    // comes with a cleanup Job that runs as root; clients use the ClusterIP Service instead.
    services: { neo4j: { enabled: false } },
    config: neo4jSettings(cfg),
    ...(args.tls ? { ssl: boltTls(args.tls) } : {}),
    securityContext: RESTRICTED_POD,
    containerSecurityContext: RESTRICTED_CONTAINER,
    podSpec: {
      // Enterprise serves Prometheus metrics; the prometheus chart's kubernetes-pods job reads these.
      annotations: {
        ...(enterprise
          ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(NEO4J.ports.metrics), "prometheus.io/path": NEO4J.metricsPath }
          : {}),
        ...certificateAnnotations(args.tls),
      },
    },
    image: imageValues(cfg, args.images, args.chartVersion),
  };
}

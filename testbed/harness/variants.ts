// Option sets that several spec files evaluate. A run is cached per (stack, options), so specs that
// ask the same question of the program share one evaluation by using the same set from here.
import type { RunOptions } from "./program";

/** The code defaults alone (no stack file), under a development stack name. */
export const CODE_DEFAULTS = { stack: "defaults", options: { withoutStackFile: true } } as const satisfies Variant;

/** A private registry mirror and a pull secret for every image. */
export const MIRROR_REGISTRY = "mirror.example.com/hub";
export const MIRROR: RunOptions = { set: { "images.registry": MIRROR_REGISTRY, "images.pullSecrets": ["regcred"] } };

/**
 * The production stack's placeholder images (api and every data image) pointed at a real registry,
 * so that `pulumi up` goes ahead (stack/placeholders.ts refuses the placeholders on an update).
 */
export const REAL_IMAGES = {
  "api.image.repository": "registry.example.com/ape/api",
  "postgresql.timescaledbImage.registry": "registry.example.com",
  "postgresql.timescaledbImage.repository": "ape/postgresql-timescaledb",
  "postgresql.metrics.image.registry": "registry.example.com",
  "postgresql.metrics.image.repository": "ape/postgres-exporter",
  "redis.image.registry": "registry.example.com",
  "redis.image.repository": "ape/redis",
  "redis.sentinel.image.registry": "registry.example.com",
  "redis.sentinel.image.repository": "ape/redis-sentinel",
  "redis.metrics.image.registry": "registry.example.com",
  "redis.metrics.image.repository": "ape/redis-exporter",
};

/** PostgreSQL with read replicas (production runs it standalone). */
export const PG_REPLICATION: RunOptions = {
  // The read replicas run production's configuration too: shared_buffers 4GB needs their limit above 4Gi.
  set: { "postgresql.architecture": "replication", "postgresql.readReplicas.resources.limits.memory": "16Gi" },
};

/**
 * dev with several independent switches, one evaluation for the specs that each read one of them:
 * Neo4j on (neo4j.spec.ts, Community), a self-signed RSA chain for two hosts (ingress.spec.ts),
 * backups on (backup.spec.ts) and Redis auth off (credentials.spec.ts). Neo4j's release, the
 * Ingress's TLS chain, the backup CronJob and Redis's password do not depend on one another.
 */
export const DEV_VARIANTS: RunOptions = {
  set: {
    "neo4j.enabled": true,
    "ingress.tls.selfSigned.algorithm": "RSA",
    "ingress.tls.selfSigned.rsaBits": 3072,
    "ingress.tls.selfSigned.validityHours": 720,
    "ingress.hosts": [
      { host: "api.ape-2026.localhost", paths: [{ path: "/", pathType: "Prefix" }] },
      { host: "*.ape.test", paths: [{ path: "/v1", pathType: "Prefix" }] },
    ],
    "postgresql.backup.enabled": true,
    "postgresql.backup.schedule": "30 1 * * 0",
    "postgresql.backup.retentionDays": 2,
    "redis.auth.enabled": false,
  },
};

/**
 * production with the Neo4j Enterprise cluster (neo4j.spec.ts), the Ingress on an existing TLS
 * Secret (ingress.spec.ts) and a 20Gi API volume claim on the cluster's default class
 * (backup.spec.ts). Neo4j's releases, the Ingress's TLS and the API's claims do not depend on one
 * another.
 */
export const PROD_VARIANTS_A: RunOptions = {
  set: {
    "neo4j.edition": "enterprise",
    "neo4j.acceptLicenseAgreement": true,
    "ingress.tls.mode": "existing-secret",
    "ingress.tls.secretName": "wildcard-tls",
    "api.volumes.data": { type: "pvc", size: "20Gi", accessModes: ["ReadWriteMany"] },
  },
};

/**
 * production with the Ingress off (ingress.spec.ts), the API volume on fast-ssd and the backups on
 * backup-hdd (backup.spec.ts), and the API's scheduling settings (hardening.spec.ts). The claims
 * follow api.volumes and postgresql.backup alone; scheduling only shapes the API's pod spec.
 */
export const PROD_VARIANTS_B: RunOptions = {
  set: {
    "ingress.enabled": false,
    "api.volumes.data": { type: "pvc", size: "20Gi", storageClass: "fast-ssd", accessModes: ["ReadWriteMany"] },
    "postgresql.backup.persistence.storageClass": "backup-hdd",
    "api.nodeSelector": { "node-pool": "api" },
    "api.tolerations": [{ key: "dedicated", operator: "Equal", value: "api", effect: "NoSchedule" }],
    "api.affinity": {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "pool", operator: "In", values: ["api"] }] }],
        },
      },
    },
    "api.priorityClassName": "ape-critical",
  },
};

/**
 * production with PostgreSQL, Redis and Neo4j all external, for the external-endpoint tests of
 * postgresql.spec.ts, redis.spec.ts and neo4j.spec.ts. Each store's switch and endpoint decide only
 * that store's release, Secret and endpoint. Production runs Neo4j in the cluster, so the set
 * switches it off beside its endpoint.
 */
export const EXTERNAL_DATA: RunOptions = {
  set: {
    "postgresql.enabled": false,
    "postgresql.external": {
      host: "pg.example.com",
      port: 5433,
      database: "ape",
      username: "app",
      existingSecret: "pg-external",
      passwordKey: "pw",
    },
    "redis.enabled": false,
    "redis.external": {
      host: "redis.example.com",
      port: 6379,
      existingSecret: "redis-external",
      passwordKey: "pw",
      sentinel: { hosts: ["s1.example.com", "s2.example.com"], masterSet: "main" },
    },
    "neo4j.enabled": false,
    "neo4j.external": {
      host: "graph.example.net",
      port: 7687,
      scheme: "neo4j+s",
      username: "ape",
      existingSecret: "graph-credentials",
      passwordKey: "pw",
    },
  },
};

/**
 * Operator mode, two Alertmanager receivers (Slack and a webhook, secret URLs) and a custom Grafana
 * admin user, on either stack: every operator-mode test (operator.spec.ts, prometheus.spec.ts), the
 * receiver Secret test (prometheus.spec.ts) and the admin credentials test (grafana.spec.ts). The
 * keys are independent: the operator objects read only the prometheus.operator and scrape settings,
 * and the NetworkPolicies are the same with these receivers (Slack and webhooks are reached on 443,
 * open to Alertmanager either way); the receivers Secret and the Alertmanager values do not read
 * operator mode or Grafana; the Grafana admin Secret reads only grafana.adminUser.
 */
export const MONITORING_VARIANT: RunOptions = {
  set: {
    "prometheus.operator.enabled": true,
    "prometheus.alertmanager.receivers.slack.channel": "#alerts",
    "grafana.adminUser": "ops-admin",
  },
  setSecret: {
    "prometheus.alertmanager.receivers.slack.webhookUrl": "https://hooks.slack.test/T0/B0/very-secret",
    "prometheus.alertmanager.receivers.webhook.url": "https://alerts.test/hook?token=very-secret",
  },
};

/**
 * production with operator mode on and Alertmanager and both exporters off: "an exporter that does
 * not run gets no ServiceMonitor" (operator.spec.ts) and "warns when Alertmanager is off in
 * production" (receivers.spec.ts). The ServiceMonitors read only operator mode and the exporters,
 * the warning only prometheus.enabled and prometheus.alertmanager.
 */
export const OPERATOR_NO_ALERTMANAGER_NO_EXPORTERS: RunOptions = {
  set: {
    "prometheus.alertmanager.enabled": false,
    "prometheus.operator.enabled": true,
    "postgresql.metrics.enabled": false,
    "redis.metrics.enabled": false,
  },
};

interface Variant {
  readonly stack: string;
  readonly options: RunOptions;
}

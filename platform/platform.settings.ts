// `cluster`, `charts` and `images`: where to deploy, which chart versions, which registry.
import { z } from "zod";
import { bool, intAtLeast, intBetween, k8sName, nonEmpty } from "../config/fields";

export const clusterSchema = () =>
  z
    .strictObject({
      context: z
        .string()
        .optional()
        .meta({ description: "kubeconfig context the stack deploys to; unset = the kubeconfig's current context." }),
      kubeconfig: z
        .string()
        .optional()
        .meta({ description: "Path to a kubeconfig file, or the kubeconfig itself; unset = $KUBECONFIG, else ~/.kube/config." }),
    })
    .meta({ description: "The Kubernetes cluster: every object goes through one explicit provider built from these settings." });

/** A remote chart (oci://, https://) or a local chart directory or package (absolute or ./ path). */
const CHART_REF = /^((oci|https?):\/\/\S+|\/\S+|\.\.?\/\S+)$/;
const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const chart = (name: string) =>
  z
    .strictObject({
      chart: z
        .string()
        .regex(CHART_REF, {
          error:
            "must be a chart URL such as oci://registry-1.docker.io/bitnamicharts/postgresql, or the path of a local chart" +
            " directory or .tgz (absolute, or starting with ./)",
        })
        .meta({
          description:
            `Where the ${name} chart comes from: an oci:// or https:// URL (point it at a mirror of the same chart), or, for` +
            " air-gapped clusters, the path of the chart unpacked or packaged on the machine that runs pulumi (helm pull --untar).",
        }),
      version: z
        .string()
        .regex(EXACT_VERSION, { error: "must be an exact chart version such as 16.7.27 (no ranges)" })
        .meta({
          description: `Exact ${name} chart version (no ranges). Read the chart's upgrade notes before changing it.`,
        }),
    })
    .meta({ description: `The ${name} chart, installed as one Helm release under a fixed release name.` });

const CHART_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A chart served from a classic (index.yaml) Helm repository: `repo` is the repository URL and
 * `chart` the chart's name in it, as in `helm install --repo <repo> <chart> --version <version>`.
 * With `repo` unset or "", `chart` is a URL as above (e.g. a mirror's OCI copy of the chart).
 */
const repoChart = z
  .strictObject({
    repo: z
      .string()
      .regex(/^(https?:\/\/\S+)?$/, { error: 'must be a Helm repository URL such as https://helm.neo4j.com/neo4j, or "" for none' })
      .optional()
      .meta({ description: 'URL of the classic Helm repository that serves the chart ("": none, `chart` is then a chart URL)' }),
    chart: z
      .string({ error: "must be a chart name (with repo) or a chart URL" })
      .meta({ description: "The chart's name in `repo`, or without `repo` a chart URL (oci:// or https://) or a local chart path." }),
    version: z
      .string()
      .regex(EXACT_VERSION, { error: "must be an exact chart version such as 16.7.27 (no ranges)" })
      .meta({ description: "Exact chart version; for Neo4j it is also the Neo4j version the pods run" }),
  })
  .superRefine((c, ctx) => {
    const repo = c.repo !== undefined && c.repo !== "";
    const ok = repo ? CHART_NAME.test(c.chart) : CHART_REF.test(c.chart);
    if (!ok) {
      ctx.addIssue({
        code: "custom",
        path: ["chart"],
        input: c.chart,
        message: repo
          ? `must be the chart's name in the repository given by repo (${c.repo}), such as neo4j;` +
            ' for a chart URL instead, set repo beside it to ""'
          : "must be a chart URL (oci:// or https://) or a local chart path, or a chart name together with repo",
      });
    }
  });

export const chartsSchema = () =>
  z
    .strictObject({
      postgresql: chart("PostgreSQL").meta({
        default: { chart: "oci://registry-1.docker.io/bitnamicharts/postgresql", version: "16.7.27" },
      }),
      redis: chart("Redis").meta({ default: { chart: "oci://registry-1.docker.io/bitnamicharts/redis", version: "22.0.7" } }),
      prometheus: chart("Prometheus").meta({
        default: { chart: "oci://ghcr.io/prometheus-community/charts/prometheus", version: "29.27.0" },
      }),
      grafana: chart("Grafana").meta({ default: { chart: "oci://ghcr.io/grafana-community/helm-charts/grafana", version: "12.11.1" } }),
      // Neo4j's own Helm repository (not OCI). 5.26 is Neo4j's long-term-support line; the chart's
      // appVersion equals its version, so this pin also pins the image (neo4j:5.26.30[-enterprise]).
      neo4j: repoChart.meta({
        description: "Neo4j's chart: repository URL, chart name and exact version (its LTS line, 5.26).",
        default: { repo: "https://helm.neo4j.com/neo4j", chart: "neo4j", version: "5.26.30" },
      }),
    })
    .meta({ description: "The pinned upstream Helm charts: location and exact version of each." });
export type ChartsConfig = z.infer<ReturnType<typeof chartsSchema>>;

export const imagesSchema = () =>
  z
    .strictObject({
      registry: nonEmpty("a registry host such as registry.example.com/mirror")
        .optional()
        .meta({
          description:
            "Mirror registry (host and optional path prefix) that replaces the registry of every chart image; images keep their" +
            " repository paths below it (bitnamilegacy/redis -> <registry>/bitnamilegacy/redis). Unset = each image's own registry.",
        }),
      pullSecrets: z.array(k8sName("Secret")).meta({
        description: "Names of docker-registry Secrets in the namespace that every pod (charts and API) pulls with.",
        default: [],
      }),
    })
    .meta({ description: "Where chart images come from: a mirror or air-gapped registry, and the pull Secrets for it." });
export type ImagesConfig = z.infer<ReturnType<typeof imagesSchema>>;

/** A generated key's algorithm and RSA size (platform/tls.ts KeySpec), with the RSA size's default. */
export const keySpecFields = (rsaBitsDefault: number) => ({
  algorithm: z
    .enum(["ECDSA", "RSA"], { error: "must be ECDSA (P-256) or RSA" })
    .meta({ description: "Key algorithm: ECDSA (curve P-256) or RSA.", default: "ECDSA" }),
  rsaBits: intBetween(2048, 8192).meta({ description: "RSA key size in bits, 2048 to 8192 (algorithm RSA).", default: rsaBitsDefault }),
});

/** Hours in a year, for the validity defaults. */
const YEAR_HOURS = 8760;

export const internalTlsSchema = () =>
  z
    .strictObject({
      enabled: bool().meta({
        description:
          "TLS between the stack's pods and its data services: PostgreSQL (plain-text connections refused but from inside its own" +
          " pod), Redis and its Sentinels, and Neo4j's Bolt port serve certificates of the stack's own CA, and the API and Grafana" +
          " verify them (sslmode verify-full, the CA from the ConfigMap internal-ca). false = plain text (fine for a laptop);" +
          " production needs weakenedProduction.internalTls to turn it off.",
        default: true,
      }),
      ...keySpecFields(3072),
      caValidityHours: intAtLeast(24).meta({
        description:
          "Lifetime of the stack's CA in hours (default ten years). It is not renewed by itself: docs/operations.md" +
          ' "TLS inside the cluster" says how to replace it before it ends.',
        default: 10 * YEAR_HOURS,
      }),
      validityHours: intAtLeast(24).meta({
        description:
          "Lifetime of each server certificate in hours; the first pulumi up after 80% of it issues a new one and the" +
          " server's pods restart with it. At most caValidityHours.",
        default: YEAR_HOURS,
      }),
    })
    .superRefine((c, ctx) => {
      if (c.validityHours > c.caValidityHours)
        ctx.addIssue({
          code: "custom",
          path: ["validityHours"],
          input: c.validityHours,
          message: `must be at most caValidityHours (${c.caValidityHours}): a certificate cannot outlive the CA that signed it`,
        });
    })
    .meta({ description: "TLS inside the cluster: the stack's own CA (made with @pulumi/tls) and the data services' certificates." });

/** The `internalTls` section. */
export type InternalTlsConfig = z.infer<ReturnType<typeof internalTlsSchema>>;

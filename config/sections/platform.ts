// `cluster`, `charts` and `images`: where to deploy, which chart versions, which registry.
import { z } from "zod";
import { nonEmpty } from "../fields";

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
export type ClusterConfig = z.infer<ReturnType<typeof clusterSchema>>;

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

export const chartsSchema = () =>
  z
    .strictObject({ postgresql: chart("PostgreSQL"), redis: chart("Redis"), prometheus: chart("Prometheus"), grafana: chart("Grafana") })
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
      pullSecrets: z
        .array(nonEmpty("a Secret name"))
        .meta({ description: "Names of docker-registry Secrets in the namespace that every pod (charts and API) pulls with." }),
    })
    .meta({ description: "Where chart images come from: a mirror or air-gapped registry, and the pull Secrets for it." });
export type ImagesConfig = z.infer<ReturnType<typeof imagesSchema>>;

export const clusterDefaults = {};

/** Pinned upstream charts: location and exact version of each. */
export const chartsDefaults = {
  postgresql: { chart: "oci://registry-1.docker.io/bitnamicharts/postgresql", version: "16.7.27" },
  redis: { chart: "oci://registry-1.docker.io/bitnamicharts/redis", version: "22.0.7" },
  prometheus: { chart: "oci://ghcr.io/prometheus-community/charts/prometheus", version: "29.27.0" },
  grafana: { chart: "oci://ghcr.io/grafana-community/helm-charts/grafana", version: "12.11.1" },
};

export const imagesDefaults = { pullSecrets: [] };

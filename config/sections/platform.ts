// `cluster`, `charts` and `images`: where to deploy, which chart versions, which registry.
import { z } from "zod";
import { nonEmpty } from "../fields";

export const clusterSchema = () =>
  z.strictObject({
    /** kubeconfig context; unset = the current context. */
    context: z.string().optional(),
    /** kubeconfig path or contents; unset = $KUBECONFIG or ~/.kube/config. */
    kubeconfig: z.string().optional(),
  });
export type ClusterConfig = z.infer<ReturnType<typeof clusterSchema>>;

const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const chart = z.strictObject({
  chart: z
    .string()
    .regex(/^(oci|https?):\/\/\S+$/, { error: "must be a chart URL such as oci://registry-1.docker.io/bitnamicharts/postgresql" }),
  version: z.string().regex(EXACT_VERSION, { error: "must be an exact chart version such as 16.7.27 (no ranges)" }),
});

export const chartsSchema = () => z.strictObject({ postgresql: chart, redis: chart, prometheus: chart, grafana: chart });
export type ChartsConfig = z.infer<ReturnType<typeof chartsSchema>>;

export const imagesSchema = () =>
  z.strictObject({
    /**
     * Registry host (and path prefix) that replaces the registry of every chart image, e.g. a mirror
     * or an air-gapped copy. Images keep their repository paths below it (bitnamilegacy/redis ->
     * <registry>/bitnamilegacy/redis; the TimescaleDB image's repository likewise), so mirror them
     * under the same paths. Unset = each image's own registry (docker.io for Bitnami).
     */
    registry: nonEmpty("a registry host such as registry.example.com/mirror").optional(),
    /** Names of docker-registry Secrets in the namespace, used by every pod. */
    pullSecrets: z.array(nonEmpty("a Secret name")),
  });
export type ImagesConfig = z.infer<ReturnType<typeof imagesSchema>>;

export const clusterDefaults = {};

/** Pinned upstream charts (see ../shared notes: last Bitnami charts with real image tags). */
export const chartsDefaults = {
  postgresql: { chart: "oci://registry-1.docker.io/bitnamicharts/postgresql", version: "16.7.27" },
  redis: { chart: "oci://registry-1.docker.io/bitnamicharts/redis", version: "22.0.7" },
  prometheus: { chart: "oci://ghcr.io/prometheus-community/charts/prometheus", version: "29.27.0" },
  grafana: { chart: "oci://ghcr.io/grafana-community/helm-charts/grafana", version: "12.11.1" },
};

export const imagesDefaults = { pullSecrets: [] };

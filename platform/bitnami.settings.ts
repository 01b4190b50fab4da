// Settings both Bitnami charts (postgresql, redis) take in the same shape.
import { z } from "zod";
import { bool, image, resources, SchemaContext } from "../config/fields";

/** The exporter sidecar a Bitnami chart runs beside its server, built from a recipe of images/. */
export interface ExporterFacts {
  /** The exporter's name, e.g. postgres_exporter. */
  readonly exporter: string;
  /** The port Prometheus scrapes. */
  readonly port: number;
  /** The recipe folder under images/ and the image's name in the placeholder registry. */
  readonly recipe: string;
  /** The tag the recipe builds (images/versions.env). */
  readonly tag: string;
  /** What the metrics are of, e.g. PostgreSQL. */
  readonly of: string;
}

/** The `metrics` section of a Bitnami chart: the exporter sidecar, its image and its resources. */
export const exporterMetrics = (ctx: SchemaContext, f: ExporterFacts) =>
  z
    .strictObject({
      enabled: bool().meta({ description: `Run the ${f.exporter} sidecar, which Prometheus scrapes on port ${f.port}.`, default: true }),
      image: image(ctx).meta({
        description: `The ${f.exporter} image, built from images/${f.recipe} and pushed to your registry.`,
        default: { registry: "ghcr.io", repository: `yourorg/ape-2026/${f.recipe}`, tag: f.tag },
      }),
      resources: resources().meta({
        description: "CPU and memory of the exporter sidecar.",
        default: {
          requests: { memory: "64Mi", cpu: "50m", "ephemeral-storage": "16Mi" },
          limits: { memory: "128Mi", cpu: "200m", "ephemeral-storage": "128Mi" },
        },
      }),
    })
    .meta({ description: `${f.of} metrics for Prometheus.` });

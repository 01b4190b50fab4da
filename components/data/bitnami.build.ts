// Values both Bitnami charts (postgresql, redis) take in the same shape: `global` and helper images.
import { ImagesConfig } from "../../config/sections/platform";
import { ChartImage, chartImage, pullSecretNames } from "../shared/images";

/** Docker Hub, the registry of every Bitnami image. */
export const BITNAMI_REGISTRY = "docker.io";

/**
 * `global` values for a Bitnami chart: the mirror as global.imageRegistry, pull secrets, and
 * allowInsecureImages. The last is required: the charts refuse to render when an image is
 * relocated (mirror) or replaced (TimescaleDB); with bitnamilegacy alone they only warn.
 */
export function bitnamiGlobals(images: ImagesConfig): Record<string, unknown> {
  return {
    ...(images.registry !== undefined ? { imageRegistry: images.registry } : {}),
    imagePullSecrets: pullSecretNames(images),
    security: { allowInsecureImages: true },
  };
}

/** A Bitnami sidecar/helper image (exporter, os-shell, kubectl) at the chart's own tag. */
export function bitnamiImage(images: ImagesConfig, repository: string): ChartImage {
  return chartImage(images, { repository }, BITNAMI_REGISTRY);
}

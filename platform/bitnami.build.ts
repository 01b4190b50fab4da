// Values both Bitnami charts (postgresql, redis) take in the same shape: `global` and helper images.
import { ImagesConfig } from "./platform.settings";
import { ChartImage, chartImage, pullSecretNames } from "./images";

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

/**
 * Pod security context overrides for a Bitnami StatefulSet (merged by Helm with the chart's own:
 * uid/gid 1001, fsGroup 1001, seccomp RuntimeDefault). `OnRootMismatch`: the kubelet re-owns the
 * volume only when its root directory does not already belong to the fsGroup; the chart's `Always`
 * walks every file of a 200Gi volume at every pod start.
 */
export const BITNAMI_POD_SECURITY = { fsGroupChangePolicy: "OnRootMismatch" } as const;

/** A chart's metrics Service: what a ServiceMonitor selects and scrapes. */
export interface MetricsService {
  readonly name: string;
  /** The Service port's name (a ServiceMonitor endpoint names it). */
  readonly portName: string;
  /** Labels on the Service. */
  readonly labels: Record<string, string>;
}

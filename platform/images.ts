// Container images of the charts: one place that applies the configured mirror registry
// (`images.registry`) and pull Secrets (`images.pullSecrets`) to every image reference, in the
// shapes the charts take. The image names themselves are chart facts (see the *.contract.ts files).
import { ImagesConfig } from "./platform.settings";

/** An image reference as the Bitnami charts (and most others) take it. */
export interface ChartImage {
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The registry an image is pulled from: the mirror when one is configured, else the image's own. */
export function imageRegistry(images: ImagesConfig, own: string | undefined): string | undefined {
  return images.registry ?? own;
}

/** A chart image value with the mirror applied; `tag` only when given (else the chart's default). */
export function chartImage(
  images: ImagesConfig,
  image: { registry?: string; repository: string; tag?: string },
  defaultRegistry?: string,
): ChartImage {
  const registry = imageRegistry(images, image.registry ?? defaultRegistry);
  const tag = image.tag ?? "";
  return {
    ...(registry !== undefined ? { registry } : {}),
    repository: image.repository,
    // A tag of the form sha256:<hex> is a digest: the charts' digest key pins the image immutably.
    ...(tag === "" ? {} : DIGEST.test(tag) ? { digest: tag } : { tag }),
  };
}

/** The names of the pull Secrets every pod gets. */
export function pullSecretNames(images: ImagesConfig): string[] {
  return [...images.pullSecrets];
}

/** Pull secrets in the `[{name}]` form of the prometheus-community charts. */
export function pullSecretRefs(images: ImagesConfig): { name: string }[] {
  return pullSecretNames(images).map((name) => ({ name }));
}

/**
 * A full repository path moved to a mirror: the registry host is replaced, the path kept
 * ("quay.io/prometheus/prometheus" -> "mirror.example.com/prometheus/prometheus"). For charts that
 * take the registry inside `repository`.
 */
export function mirrorRepository(mirror: string, original: string): string {
  const [first, ...rest] = original.split("/");
  const hasRegistry = rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  return `${mirror.replace(/\/+$/, "")}/${hasRegistry ? rest.join("/") : original}`;
}

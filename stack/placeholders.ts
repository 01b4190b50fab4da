// Placeholder images: the production stack file is a template whose images point at `yourorg`, a
// name on a public registry that anyone could claim. Whoever owned it would run code holding the
// database credentials, so a production update is refused until real images are configured; a
// preview only warns, so pull-request previews keep working on the template.
import { ConfigProblem } from "../config/errors";
import { StackConfig } from "./config";
import { postgresqlPlacement } from "../services/postgresql";
import { redisPlacement } from "../services/redis";

/** The organisation name the template stack files use for images that must be replaced. */
const PLACEHOLDER_ORG = "yourorg";

interface ConfiguredImage {
  readonly key: string;
  readonly image: { readonly registry?: string; readonly repository: string };
}

/** The images a stack will actually run, with the config key of each. */
function imagesInUse(config: StackConfig): ConfiguredImage[] {
  const images: ConfiguredImage[] = [{ key: "api.image", image: config.api.image }];
  // Where each data service runs and whether Redis has sentinels: the services' own decisions.
  const postgresql = postgresqlPlacement(config.postgresql);
  const redis = redisPlacement(config.redis);
  if (postgresql.inCluster) {
    images.push(
      config.postgresql.timescaledb
        ? { key: "postgresql.timescaledbImage", image: config.postgresql.timescaledbImage }
        : { key: "postgresql.image", image: config.postgresql.image },
    );
  }
  if (postgresql.inCluster && config.postgresql.metrics.enabled) {
    images.push({ key: "postgresql.metrics.image", image: config.postgresql.metrics.image });
  }
  if (redis.inCluster) {
    images.push({ key: "redis.image", image: config.redis.image });
    if (redis.mode === "sentinel") images.push({ key: "redis.sentinel.image", image: config.redis.sentinel.image });
    if (config.redis.metrics.enabled) images.push({ key: "redis.metrics.image", image: config.redis.metrics.image });
  }
  return images;
}

/** Configured images that still point at the placeholder organisation. */
export function placeholderImages(config: StackConfig): ConfigProblem[] {
  return imagesInUse(config)
    .filter(({ image }) => [image.registry ?? "", ...image.repository.split("/")].some((part) => part === PLACEHOLDER_ORG))
    .map(({ key, image }) => ({
      path: `${key}.repository`,
      value: [image.registry, image.repository].filter(Boolean).join("/"),
      message:
        `points at the placeholder organisation "${PLACEHOLDER_ORG}" on a public registry; set ${key}.registry and ${key}.repository` +
        " to your own registry before deploying (pulumi config set --path ...)",
    }));
}

// Pure builders of the Prometheus Operator objects (prometheus.operator.enabled): the
// ServiceMonitors of the API and of the PostgreSQL and Redis exporters, and their labels.
import { PrometheusConfig } from "./prometheus.settings";
import { apiSelectorLabels } from "../api";
import type { MetricsService } from "../../platform/bitnami.build";
import { postgresqlMetricsService } from "../postgresql";
import { redisMetricsService } from "../redis";

/** Where the API serves its metrics. */
export interface ApiMetricsTarget {
  /** The API Service port that serves metrics: a port name, or a number (then used as targetPort). */
  readonly port: string | number;
  readonly path: string;
}

/** Which chart exporters run in the namespace (postgresql/redis enabled with metrics.enabled). */
export interface ExporterFacts {
  readonly postgresql: boolean;
  readonly redis: boolean;
}

/**
 * Pod label copied onto every scraped series, as `app_kubernetes_io_name` (the operator replaces
 * the characters a Prometheus label name cannot hold with `_`). The alert rules select the API's
 * series by it, as they do with the chart's annotation-based scraping.
 */
export const POD_TARGET_LABELS = ["app.kubernetes.io/name"] as const;

/** What one ServiceMonitor scrapes: the Services it selects and the endpoint on them. */
export interface ScrapeTarget {
  /** Suffix of the object's logical name. */
  readonly name: string;
  readonly selector: Record<string, string>;
  readonly port: string | number;
  readonly path: string;
}

const EXPORTER_PATH = "/metrics";
const exporterTarget = (name: string, service: MetricsService): ScrapeTarget => ({
  name,
  selector: service.labels,
  port: service.portName,
  path: EXPORTER_PATH,
});

/** The ServiceMonitor targets of the stack: the API always, each exporter that runs. */
export function scrapeTargets(api: ApiMetricsTarget, exporters: ExporterFacts): ScrapeTarget[] {
  return [
    { name: "api", selector: apiSelectorLabels(), port: api.port, path: api.path },
    ...(exporters.postgresql ? [exporterTarget("postgresql", postgresqlMetricsService())] : []),
    ...(exporters.redis ? [exporterTarget("redis", redisMetricsService())] : []),
  ];
}

/** A ServiceMonitor spec for one target, scraped every `server.scrapeInterval`. */
export function serviceMonitorSpec(target: ScrapeTarget, config: Pick<PrometheusConfig, "server">): Record<string, unknown> {
  return {
    selector: { matchLabels: target.selector },
    podTargetLabels: [...POD_TARGET_LABELS],
    endpoints: [
      {
        ...(typeof target.port === "number" ? { targetPort: target.port } : { port: target.port }),
        path: target.path,
        interval: config.server.scrapeInterval,
      },
    ],
  };
}

/** Labels of the operator objects: the stack's own, then those the operator's selectors need. */
export function operatorObjectLabels(standard: Record<string, string>, config: Pick<PrometheusConfig, "operator">): Record<string, string> {
  return { ...standard, ...config.operator.labels };
}

// All dashboards of the stack, as Grafana dashboard JSON keyed by file name (one ConfigMap each).
import { PrometheusConfig } from "../../prometheus";
import { apiOverviewDashboard } from "./api-overview";
import { DashboardModel } from "./common";
import { dataServicesDashboard } from "./data-services";

import { DashboardFile } from "./files";

export interface DashboardsArgs {
  readonly namespace: string;
  readonly apiDeploymentName: string;
  /** The application database (PostgreSQL's `datname`). */
  readonly database: string;
  readonly prometheus: Pick<PrometheusConfig, "alerts" | "apiMetrics">;
}

/** file name -> dashboard model. */
export function buildDashboards(args: DashboardsArgs): Record<DashboardFile, DashboardModel> {
  return {
    "api-overview.json": apiOverviewDashboard({
      namespace: args.namespace,
      deploymentName: args.apiDeploymentName,
      prometheus: args.prometheus,
    }),
    "data-services.json": dataServicesDashboard({ namespace: args.namespace, database: args.database }),
  };
}

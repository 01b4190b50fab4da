// Shared pieces of the dashboard builders: the Prometheus data source reference, typed query and
// panel helpers on top of @grafana/grafana-foundation-sdk.
import * as common from "@grafana/grafana-foundation-sdk/common";
import { Dashboard, DashboardBuilder, ThresholdsConfigBuilder, ThresholdsMode } from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { PROMETHEUS_DS_UID } from "../grafana.build";

const PROMETHEUS_DS: common.DataSourceRef = { type: "prometheus", uid: PROMETHEUS_DS_UID };

/** A range query against the provisioned Prometheus data source. */
export function query(refId: string, expr: string, legend = "__auto"): DataqueryBuilder {
  return new DataqueryBuilder().refId(refId).datasource(PROMETHEUS_DS).expr(expr).legendFormat(legend).range();
}

/** Green below `warnAt`, red from it (a threshold line drawn in time series panels). */
function redFrom(warnAt: number): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: "green" },
    { value: warnAt, color: "red" },
  ]);
}

export interface PanelSpec {
  readonly title: string;
  readonly description?: string;
  readonly unit: string;
  readonly queries: DataqueryBuilder[];
  /** Draw this value as a red threshold line. */
  readonly threshold?: number;
  readonly min?: number;
  readonly max?: number;
}

/** A time series panel at grid position (x, y), 12 wide and 8 high. */
export function timeSeries(spec: PanelSpec, x: number, y: number, w = 12): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(spec.title)
    .datasource(PROMETHEUS_DS)
    .unit(spec.unit)
    .gridPos({ x, y, w, h: 8 })
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .targets(spec.queries);
  if (spec.description) panel.description(spec.description);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  if (spec.threshold !== undefined) {
    panel
      .thresholds(redFrom(spec.threshold))
      .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line));
  }
  return panel;
}

/** A single-value panel (last value) at (x, y), 6 wide and 4 high. */
export function singleStat(spec: PanelSpec, x: number, y: number, w = 6): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(spec.title)
    .datasource(PROMETHEUS_DS)
    .unit(spec.unit)
    .gridPos({ x, y, w, h: 4 })
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]))
    .targets(spec.queries);
  if (spec.description) panel.description(spec.description);
  if (spec.threshold !== undefined) panel.thresholds(redFrom(spec.threshold));
  return panel;
}

/** A dashboard with the stack's common settings. */
export function baseDashboard(uid: string, title: string, tags: string[]): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .tags(["ape-2026", ...tags])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .timezone("browser")
    .editable();
}

export type DashboardModel = Dashboard;

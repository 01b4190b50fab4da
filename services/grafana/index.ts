// Grafana (`ape:monitoring`): the pinned community chart, its dashboards as code and the
// traffic it accepts and makes.
export { buildDashboards } from "./dashboards";
export { GRAFANA, grafanaPodLabels } from "./grafana.contract";
export { grafanaFlows, grafanaMetricsTarget } from "./grafana.flows";
export { GrafanaConfig, grafanaSchema } from "./grafana.settings";
export { Grafana } from "./grafana";

// The monitoring domain (`ape:monitoring`): Prometheus (server, Alertmanager, kube-state-metrics)
// and Grafana as pinned charts, the stack's alert rules and dashboards, and the Prometheus
// Operator objects for clusters that run the operator.
export { Monitoring } from "../../stack/monitoring";
export { GRAFANA, grafanaPodLabels } from "../grafana/grafana.contract";
export { PROMETHEUS, prometheusPodLabels, prometheusServerService } from "./prometheus.contract";
export { alertExpressions, buildAlertRules, promNumber } from "./alerts.build";
export { buildDashboards } from "../grafana/dashboards";

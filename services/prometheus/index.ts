// Prometheus (`ape:monitoring`): the pinned community chart (server, Alertmanager,
// kube-state-metrics), the stack's alert rules, and the Prometheus Operator objects.
export { alertExpressions, apiSelector, buildAlertRules, promNumber, promString } from "./alerts.build";
export { ApiMetricsTarget, ExporterFacts } from "./operator.build";
export { OperatorObjects } from "./operator";
export { PROMETHEUS, prometheusPodLabels, prometheusServerService } from "./prometheus.contract";
export { OperatorPrometheus, operatorPrometheus } from "./prometheus.decisions";
export { metricsScrapers, prometheusFlows, prometheusQueryRule } from "./prometheus.flows";
export { PrometheusConfig, prometheusSchema } from "./prometheus.settings";
export { Prometheus } from "./prometheus";
export { alertsReachNoOne } from "./receivers.settings";

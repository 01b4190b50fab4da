// Prometheus Operator mode, decided once from prometheus.operator: a Prometheus in another
// namespace scrapes the stack through ServiceMonitors and evaluates its alerts from a
// PrometheusRule. The monitoring component (which creates those objects) and the NetworkPolicies
// (which admit that Prometheus to the metrics ports) read this value.
import type { PrometheusConfig } from "./prometheus.settings";

/** The operator's Prometheus: the labels of its namespace and of its pods ({} = any). */
export interface OperatorPrometheus {
  readonly namespaceSelector: Record<string, string>;
  readonly podSelector: Record<string, string>;
}

/** The operator's Prometheus in operator mode; undefined when the mode is off. */
export function operatorPrometheus(cfg: Pick<PrometheusConfig, "operator">): OperatorPrometheus | undefined {
  const op = cfg.operator;
  return op.enabled ? { namespaceSelector: op.namespaceSelector, podSelector: op.podSelector } : undefined;
}

// Rules that read more than one section of the stack configuration; each section's own rules stay
// with its schema. stackSchema applies these after every section has parsed.
import { z } from "zod";

/**
 * Cross-section rule: node-exporter needs hostNetwork, hostPID and a host root mount, which the
 * "restricted" (and "baseline") Pod Security levels refuse; the release would install but its
 * DaemonSet pods would never be admitted.
 */
export function checkNodeExporterPodSecurity(
  config: { prometheus: { nodeExporter: { enabled: boolean } }; namespace: { podSecurity: { enforce: string } } },
  ctx: z.RefinementCtx,
): void {
  if (config.prometheus.nodeExporter.enabled && config.namespace.podSecurity.enforce !== "privileged") {
    ctx.addIssue({
      code: "custom",
      path: ["prometheus", "nodeExporter", "enabled"],
      input: true,
      message:
        `cannot be true while namespace.podSecurity.enforce is "${config.namespace.podSecurity.enforce}":` +
        ' node-exporter needs hostNetwork, hostPID and hostPath, which only "privileged" admits;' +
        " set namespace.podSecurity.enforce to privileged or run node-exporter in its own namespace",
    });
  }
}

/**
 * Cross-section rule: Grafana's default data source and both dashboards query the Prometheus
 * server of this stack; without it Grafana would provision a data source pointing nowhere.
 */
export function checkGrafanaNeedsPrometheus(
  config: { prometheus: { enabled: boolean }; grafana: { enabled: boolean } },
  ctx: z.RefinementCtx,
): void {
  if (config.grafana.enabled && !config.prometheus.enabled) {
    ctx.addIssue({
      code: "custom",
      path: ["grafana", "enabled"],
      input: true,
      message:
        "cannot be true while prometheus.enabled is false: Grafana's data source and dashboards read this stack's Prometheus;" +
        " enable prometheus or set grafana.enabled false",
    });
  }
}

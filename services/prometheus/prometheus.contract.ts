// Facts of the pinned prometheus-community `prometheus` chart (29.27.x) that this program relies on:
// the release name, the server Service, pod ports and labels, images and the user the pods run as.
// The component, its values builder, the NetworkPolicies, Grafana's data source and the tests all
// read them from here, so a change is one edit.

export const PROMETHEUS = {
  /** Fixed Helm release name: Service and PVC names derive from it. */
  release: "prometheus",
  /** Pod ports (NetworkPolicies see pod ports). */
  ports: { server: 9090, alertmanager: 9093, kubeStateMetrics: 8080, kubeStateMetricsTelemetry: 8081 },
  /** The server Service's port (it forwards to ports.server). */
  servicePort: 80,
  /** uid/gid of the chart's images (nobody). */
  uid: 65534,
  /** Images by the chart's value keys; the registry host is part of the repository here. */
  images: {
    server: "quay.io/prometheus/prometheus",
    reloader: "quay.io/prometheus-operator/prometheus-config-reloader",
    alertmanager: "quay.io/prometheus/alertmanager",
    pushgateway: "quay.io/prometheus/pushgateway",
  },
  /** Subcharts that take the registry separately from the repository. */
  registries: { kubeStateMetrics: "registry.k8s.io", nodeExporter: "quay.io" },
} as const;

/** Labels of the pods of each part of the release. */
export function prometheusPodLabels(
  part: "server" | "alertmanager" | "kubeStateMetrics",
  release: string = PROMETHEUS.release,
): Record<string, string> {
  switch (part) {
    case "server":
      return { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/instance": release, "app.kubernetes.io/component": "server" };
    case "alertmanager":
      return { "app.kubernetes.io/name": "alertmanager", "app.kubernetes.io/instance": release };
    case "kubeStateMetrics":
      return { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": release };
  }
}

/**
 * The server Service: the chart names it `<release>-server` when the release name contains
 * "prometheus" (ours does), `<release>-prometheus-server` otherwise.
 */
export function prometheusServerService(release: string = PROMETHEUS.release): string {
  return release.includes("prometheus") ? `${release}-server` : `${release}-prometheus-server`;
}

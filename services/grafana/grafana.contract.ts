// Facts of the pinned grafana-community `grafana` chart (12.11.x) that this program relies on: the
// release name, Service and ports, pod labels, the admin Secret keys, the dashboard sidecar's label
// and the user Grafana runs as. Read by the component, its values builder, the NetworkPolicies,
// the dashboards and the tests.

export const GRAFANA = {
  /** Fixed Helm release name; the chart's fullname, so also the Service's name. */
  release: "grafana",
  /**
   * Pod ports: Grafana's, and the health endpoint (/healthz) of the dashboard sidecar. The chart
   * sets the sidecar's HEALTH_PORT only in its init-container form; this program sets it through
   * sidecar.dashboards.env (k8s-sidecar's default would be 8080).
   */
  ports: { grafana: 3000, dashboardSidecarHealth: 8084 },
  /** The Service's port (it forwards to ports.grafana). */
  servicePort: 80,
  /** uid/gid of the Grafana image. */
  uid: 472,
  /** Keys of the admin Secret (the chart's admin.userKey / admin.passwordKey defaults). */
  adminSecretKeys: { user: "admin-user", password: "admin-password" },
  /** Label the dashboard sidecar watches (the chart's default key) and the value given to it. */
  dashboardLabel: { key: "grafana_dashboard", value: "1" },
  /**
   * The Role this program creates for the dashboard sidecar (read ConfigMaps of the namespace); the
   * chart binds its ServiceAccount to it (rbac.useExistingRole) instead of creating its own rules.
   */
  dashboardReaderRole: "grafana-dashboard-reader",
  /**
   * The read-only PostgreSQL role Grafana's TimescaleDB data source logs in as, when the database is
   * the chart's: its own generated password, SELECT on the application's tables and nothing more.
   */
  databaseRole: "grafana_reader",
  /** Where the Kubernetes client in the sidecar looks for its token, CA and namespace. */
  serviceAccountMount: "/var/run/secrets/kubernetes.io/serviceaccount",
} as const;

/** Labels on the Grafana pod. */
export function grafanaPodLabels(release: string = GRAFANA.release): Record<string, string> {
  return { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": release };
}

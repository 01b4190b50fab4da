// The dashboard files the stack ships (one ConfigMap each); buildDashboards returns exactly these.
// Kept apart from the builders so that a stack without Grafana never loads the dashboard SDK.
export const DASHBOARD_FILES = ["api-overview.json", "data-services.json"] as const;
export type DashboardFile = (typeof DASHBOARD_FILES)[number];

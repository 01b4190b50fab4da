// `grafana`: the Grafana release with the stack's data sources and dashboards.
import { z } from "zod";
import { extraValues } from "../../config/extra-values";
import { bool, nonEmpty, persistence, resources } from "../../config/fields";

export const grafanaSchema = () =>
  z
    .strictObject({
      enabled: bool().meta({ description: "Install Grafana; needs prometheus.enabled.", default: true }),
      adminUser: nonEmpty("a user name").meta({
        description: "Admin user name; the password is generated (output grafanaAdminPassword).",
        default: "admin",
      }),
      persistence: persistence().meta({
        description: "Volume of Grafana's own database (users, preferences).",
        default: { enabled: true, size: "10Gi" },
      }),
      resources: resources().meta({
        description: "CPU and memory of Grafana.",
        default: {
          requests: { memory: "128Mi", cpu: "100m", "ephemeral-storage": "64Mi" },
          limits: { memory: "256Mi", cpu: "500m", "ephemeral-storage": "1Gi" },
        },
      }),
      sidecar: z
        .strictObject({
          resources: resources().meta({
            description: "CPU and memory of the sidecar.",
            default: {
              requests: { memory: "64Mi", cpu: "10m", "ephemeral-storage": "16Mi" },
              limits: { memory: "128Mi", cpu: "100m", "ephemeral-storage": "128Mi" },
            },
          }),
        })
        .meta({ description: "The dashboard sidecar (k8s-sidecar) that loads the stack's dashboards from ConfigMaps." }),
      extraValues: extraValues("grafana"),
    })
    .meta({ description: "Grafana with Prometheus and TimescaleDB data sources and the stack's dashboards (grafana-community chart)." });
export type GrafanaConfig = z.infer<ReturnType<typeof grafanaSchema>>;

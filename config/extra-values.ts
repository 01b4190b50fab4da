// `<chart>.extraValues`: chart values this program does not model, deep-merged over the values it
// builds (last, so they win). Values the program owns are refused with the setting to use instead:
// credentials (generated and kept in Secrets), security contexts (set so every pod passes the
// restricted Pod Security level), images and registries (mirror and pinning rules), the charts'
// own NetworkPolicies and RBAC (replaced by the stack's narrower ones). A value that looks like a
// credential is refused too: Release values are stored in plain text.
import { z } from "zod";

export type ChartWithExtraValues = "postgresql" | "redis" | "prometheus" | "grafana";

interface Owned {
  /** Dotted path from the values root, or "*.<key>" for the key at any depth. */
  readonly path: string;
  readonly use: string;
}

const SECURITY = "is set by this program so that every pod passes the restricted Pod Security level and cannot be overridden";
const COMMON: Owned[] = [
  { path: "*.securityContext", use: SECURITY },
  { path: "*.podSecurityContext", use: SECURITY },
  { path: "*.containerSecurityContext", use: SECURITY },
  { path: "*.networkPolicy", use: "is replaced by the stack's own NetworkPolicies; set networkPolicy.* instead" },
  { path: "*.imageRegistry", use: "set images.registry instead (it applies to every chart)" },
  { path: "*.imagePullSecrets", use: "set images.pullSecrets instead (it applies to every chart)" },
  { path: "global", use: "is built from images.registry and images.pullSecrets; set those instead" },
];

const OWNED: Record<ChartWithExtraValues, Owned[]> = {
  postgresql: [
    { path: "auth", use: "holds the generated credentials; set postgresql.auth.database / postgresql.auth.username instead" },
    { path: "*.image", use: "set postgresql.image or postgresql.timescaledbImage instead" },
    { path: "backup", use: "set postgresql.backup.* instead" },
  ],
  redis: [
    { path: "auth", use: "holds the generated password; set redis.auth.enabled instead" },
    { path: "*.image", use: "set redis.image instead" },
    {
      path: "replica.extraEnvVars",
      use:
        "carries the variable the chart's preStop needs to hand the master over to a replica (REDIS.preStopEnv); " +
        "put your variables in a ConfigMap or Secret and set replica.extraEnvVarsCM or replica.extraEnvVarsSecret instead",
    },
  ],
  prometheus: [
    { path: "*.image", use: "images follow the pinned chart; set images.registry for a mirror" },
    { path: "serverFiles", use: "holds the stack's alert rules; set prometheus.alerts.* instead" },
    { path: "alertmanager.config", use: "is built from prometheus.alertmanager.receivers; set those instead" },
  ],
  grafana: [
    { path: "admin", use: "names the generated admin Secret; set grafana.adminUser instead" },
    { path: "adminUser", use: "set grafana.adminUser instead" },
    { path: "adminPassword", use: "is generated into a Secret (stack output grafanaAdminPassword)" },
    { path: "*.image", use: "images follow the pinned chart; set images.registry for a mirror" },
    { path: "rbac", use: "binds Grafana to a Role that reads ConfigMaps only; it cannot be widened" },
    { path: "datasources", use: "holds the stack's Prometheus and TimescaleDB data sources" },
  ],
};

/** Keys whose string values are credentials by their name. */
const CREDENTIAL_KEY = /(password|passwd|secret|token|apikey|api_key|privatekey|private_key)$/i;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Problems of one chart's extra values: (path inside extraValues, message). */
function extraValuesProblems(chart: ChartWithExtraValues, values: Record<string, unknown>): { path: string[]; message: string }[] {
  const owned = [...COMMON, ...OWNED[chart]];
  const problems: { path: string[]; message: string }[] = [];
  const walk = (node: Record<string, unknown>, at: string[]) => {
    for (const [key, value] of Object.entries(node)) {
      const path = [...at, key];
      const rule = owned.find((o) => (o.path.startsWith("*.") ? o.path.slice(2) === key : o.path === path.join(".")));
      if (rule) problems.push({ path, message: rule.use });
      else if (typeof value === "string" && CREDENTIAL_KEY.test(key))
        problems.push({
          path,
          message: "looks like a credential, and Release values are stored in plain text; put it in a Secret and reference the Secret",
        });
      else if (isObject(value)) walk(value, path);
    }
  };
  walk(values, []);
  return problems;
}

/** The `extraValues` key of a chart's section. */
export const extraValues = (chart: ChartWithExtraValues) =>
  z
    .record(z.string(), z.unknown(), { error: "must be a map of chart values" })
    .superRefine((values, ctx) => {
      for (const p of extraValuesProblems(chart, values))
        ctx.addIssue({ code: "custom", path: p.path, input: "(given)", message: p.message });
    })
    .meta({
      description:
        `Values of the ${chart} chart that this program does not model, merged over the values it builds (maps merge, lists and` +
        " scalars replace, null removes a chart default). Credentials, security contexts, images, registries and the charts' own" +
        " NetworkPolicies are owned by the program and refused, with the setting to use instead.",
      default: {},
    });

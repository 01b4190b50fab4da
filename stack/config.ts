// The whole StackConfig: the code defaults deep-merged with the stack's settings,
// then validated in one pass so that every problem is reported together.
import { z } from "zod";
import { ConfigProblem, ConfigValidationError, configPath, problemsFromIssues } from "../config/errors";
import { Environment, SchemaContext } from "../config/fields";
import { defaultsOf } from "../config/defaults";
import { deepMerge, isPlainObject } from "../config/merge";
import { secretPaths } from "../config/secrets";
import { apiSchema } from "../services/api";
import { postgresqlSchema } from "../services/postgresql";
import { redisSchema } from "../services/redis";
import { neo4jSchema } from "../services/neo4j";
import { checkControllerSelectors, namespaceSchema, ingressSchema, networkPolicySchema } from "../services/edge";
import { prometheusSchema } from "../services/prometheus";
import { grafanaSchema } from "../services/grafana";
import { checkGrafanaNeedsPrometheus, checkNodeExporterPodSecurity } from "./checks";
import { checkProductionFloor, weakenedProductionSchema } from "./floor";
import { chartsSchema, clusterSchema, imagesSchema } from "../platform/platform.settings";

export const stackSchema = (ctx: SchemaContext) =>
  z
    .strictObject({
      environment: z.enum(["development", "production"], { error: "must be development or production" }).meta({
        description:
          "development or production. Production protects stateful resources (namespace, databases, credentials, volumes) against" +
          " deletion and replacement, and requires pinned image tags. Unset: production for stacks named prod*, else development.",
      }),
      cluster: clusterSchema(),
      charts: chartsSchema(),
      images: imagesSchema(),
      namespace: namespaceSchema(),
      api: apiSchema(ctx),
      postgresql: postgresqlSchema(ctx),
      redis: redisSchema(ctx),
      neo4j: neo4jSchema(),
      prometheus: prometheusSchema(),
      grafana: grafanaSchema(),
      ingress: ingressSchema(),
      networkPolicy: networkPolicySchema(),
      weakenedProduction: weakenedProductionSchema(),
    })
    .superRefine(checkNodeExporterPodSecurity)
    .superRefine(checkGrafanaNeedsPrometheus)
    .superRefine(checkControllerSelectors)
    .superRefine(checkProductionFloor);

/** The validated configuration every component reads. Nothing else reads `pulumi.Config`. */
export type StackConfig = z.infer<ReturnType<typeof stackSchema>>;

export interface ParseContext {
  /** The stack name; decides the default environment (stacks named prod* are production). */
  readonly stack: string;
  /** Top-level keys stored encrypted in the stack file. */
  readonly secretKeys?: ReadonlySet<string>;
}

/** Default environment for a stack that does not set one. */
function defaultEnvironment(stack: string): Environment {
  return /^prod/i.test(stack) ? "production" : "development";
}

/** The schema depends only on the environment: built once per environment and process. */
const schemas = new Map<Environment, ReturnType<typeof stackSchema>>();
export function schemaFor(environment: Environment): ReturnType<typeof stackSchema> {
  let schema = schemas.get(environment);
  if (!schema) schemas.set(environment, (schema = stackSchema({ environment })));
  return schema;
}

/** Every section as the code defaults give it; the environment follows the stack name. */
type StackDefaults = Omit<z.input<ReturnType<typeof stackSchema>>, "environment">;

/**
 * The code defaults of every section, each stated beside its key's description in the schema.
 * No default depends on the environment; reading them from that environment's schema spares
 * building the other one. (A stack without a file parses from these alone, so they are a whole
 * StackConfig input but for the environment.)
 */
export function defaultsFor(environment: Environment): StackDefaults {
  return defaultsOf(schemaFor(environment)) as StackDefaults;
}

/**
 * Merges `settings` (top-level key -> value, as in the stack file) over the defaults and validates
 * the result. Throws ConfigValidationError listing every problem.
 */
export function parseStackConfig(settings: Record<string, unknown>, context: ParseContext): StackConfig {
  // Unset or "" (Pulumi.yaml's declared default, which the CLI passes to every stack): by stack name.
  const environment =
    settings.environment === undefined || settings.environment === "" ? defaultEnvironment(context.stack) : settings.environment;
  const ctx: SchemaContext = { environment: environment === "production" ? "production" : "development" };
  const schema = schemaFor(ctx.environment);
  const merged = deepMerge(defaultsOf(schema) as Record<string, unknown>, { ...settings, environment });
  // jitless: zod would otherwise compile a fast parser for every object schema on its first parse
  // (new Function), which only pays off over many parses; a program run parses its config once.
  const result = schema.safeParse(merged, { reportInput: true, jitless: true });
  const problems: ConfigProblem[] = [
    ...(result.success ? [] : problemsFromIssues(result.error.issues, schema)),
    ...plainTextSecrets(settings, secretPaths(schema), context.secretKeys ?? new Set()),
  ];
  if (problems.length > 0 || !result.success) throw new ConfigValidationError(problems);
  return result.data;
}

/** Secret paths that hold a value although their top-level key is not encrypted. */
function plainTextSecrets(settings: Record<string, unknown>, secrets: readonly string[], secretKeys: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const secretPath of secrets) {
    const [top, ...rest] = secretPath.split(".");
    if (secretKeys.has(top)) continue;
    const value = rest.reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), settings[top]);
    if (value === undefined) continue;
    const at = secretPath.split(".");
    const leaves = isPlainObject(value) ? Object.keys(value).map((k) => configPath([...at, k])) : [configPath(at)];
    for (const path of leaves) {
      problems.push({
        path,
        message: `is stored in plain text; store it encrypted: pulumi config set --secret --path '${path}' <value>`,
        value: "<secret>",
      });
    }
  }
  return problems;
}

/** True for the production environment (protected stateful resources, pinned images). */
export const isProduction = (config: Pick<StackConfig, "environment">): boolean => config.environment === "production";

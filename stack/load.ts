// Reads this project's settings from the Pulumi runtime and returns the validated StackConfig.
import * as pulumi from "@pulumi/pulumi";
import { ConfigValidationError } from "../config/errors";
import { placeholderImages } from "./placeholders";
import { alertsReachNoOne } from "../services/prometheus/receivers.settings";
import { isProduction, parseStackConfig, StackConfig } from "./config";

// Public in the SDK's JavaScript (runtime/config.js) but marked @internal in its typings.
const runtime = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };

/** Top-level settings of `project` from a flat "<project>:<key>" -> string map. */
function projectSettings(all: Record<string, string>, project: string): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(all)) {
    if (!key.startsWith(`${project}:`)) continue;
    settings[key.slice(project.length + 1)] = parseValue(text);
  }
  return settings;
}

// Structured values arrive as JSON text; plain strings arrive as they are.
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Loads and validates the current stack's configuration; throws listing every problem. A
 * production update with placeholder images is refused too; its preview only warns. A production
 * stack whose alerts would notify no one is warned about on every preview and update.
 */
export function loadStackConfig(): StackConfig {
  const project = pulumi.getProject();
  const all = pulumi.runtime.allConfig();
  const settings = projectSettings(all, project);
  const secretKeys = new Set(Object.keys(settings).filter((k) => runtime.isConfigSecret(`${project}:${k}`)));
  const config = parseStackConfig(settings, { stack: pulumi.getStack(), secretKeys });
  // Every production preview and update says so while alerts would reach no one.
  const unrouted = isProduction(config) ? alertsReachNoOne(config.prometheus) : undefined;
  if (unrouted) pulumi.log.warn(unrouted);
  const placeholders = isProduction(config) ? placeholderImages(config) : [];
  if (placeholders.length > 0) {
    if (!pulumi.runtime.isDryRun()) throw new ConfigValidationError(placeholders);
    for (const p of placeholders) pulumi.log.warn(`${p.path}: ${p.message} (given: ${JSON.stringify(p.value)}); pulumi up will refuse it`);
  }
  return config;
}

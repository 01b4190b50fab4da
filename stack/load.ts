// Reads this project's settings from the Pulumi runtime and returns the validated StackConfig.
import * as pulumi from "@pulumi/pulumi";
import { ConfigValidationError } from "../config/errors";
import { placeholderImages } from "./placeholders";
import { alertsReachNoOne } from "../services/prometheus";
import { isProduction, parseStackConfig, StackConfig } from "./config";
import { floorWarnings } from "./floor";
import { edgeWarnings } from "../services/edge";

/**
 * Which of `keys` (top-level keys of `project`) the stack stores encrypted, or undefined when the
 * SDK cannot say. No public API of @pulumi/pulumi answers this: pulumi.Config only reads values
 * (its getSecret marks whatever it reads as secret, encrypted or not), and the typings of
 * pulumi.runtime declare allConfig, getConfig, setConfig and setAllConfig(config, secretKeys) but
 * nothing that reads the secret keys back. The SDK's JavaScript has that reader,
 * runtime.isConfigSecret, marked @internal: it looks the key up in the list of encrypted keys the
 * engine hands every program run (through the SDK's own store, so it works the same under the
 * Automation API and under mocks). What it buys: a secret stored in plain text is refused
 * (plainTextSecrets in stack/config.ts). When a release of the SDK drops it or changes its shape,
 * this returns undefined and the program still runs, only without that check;
 * tests/project/library-shapes.spec.ts fails on such a release first.
 */
export function encryptedKeys(project: string, keys: readonly string[], runtime: unknown = pulumi.runtime): Set<string> | undefined {
  const isConfigSecret = (runtime as { isConfigSecret?: unknown }).isConfigSecret;
  if (typeof isConfigSecret !== "function") return undefined;
  try {
    const encrypted = new Set<string>();
    for (const key of keys) {
      const secret: unknown = isConfigSecret.call(runtime, `${project}:${key}`);
      if (typeof secret !== "boolean") return undefined;
      if (secret) encrypted.add(key);
    }
    return encrypted;
  } catch {
    return undefined;
  }
}

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
  const keys = Object.keys(settings);
  const encrypted = encryptedKeys(project, keys);
  if (!encrypted) {
    pulumi.log.warn(
      "This version of @pulumi/pulumi does not say which config keys are encrypted (runtime.isConfigSecret): " +
        "secrets stored in plain text are not refused.",
    );
  }
  // Without the SDK's answer every key counts as encrypted, which turns only that one check off.
  const config = parseStackConfig(settings, { stack: pulumi.getStack(), secretKeys: encrypted ?? new Set(keys) });
  // Every production preview and update says so while alerts would reach no one.
  const unrouted = isProduction(config) ? alertsReachNoOne(config.prometheus) : undefined;
  if (unrouted) pulumi.log.warn(unrouted);
  // And for every part of the safety floor it runs without (acknowledged, or it would not parse).
  for (const warning of floorWarnings(config)) pulumi.log.warn(warning);
  // And while its entry point runs on a retired controller (ingress-nginx).
  for (const warning of edgeWarnings(config)) pulumi.log.warn(warning);
  const placeholders = isProduction(config) ? placeholderImages(config) : [];
  if (placeholders.length > 0) {
    if (!pulumi.runtime.isDryRun()) throw new ConfigValidationError(placeholders);
    for (const p of placeholders) pulumi.log.warn(`${p.path}: ${p.message} (given: ${JSON.stringify(p.value)}); pulumi up will refuse it`);
  }
  return config;
}

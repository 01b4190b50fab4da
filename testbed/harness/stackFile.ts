// Reads a real Pulumi.<stack>.yaml the way the CLI hands it to the program: "<ns>:<key>" -> string,
// with every `secure:` value replaced by a recognisable test secret and its key marked secret.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { deepFreeze } from "./freeze";

export const PROJECT = "ape-2026";
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface StackSettings {
  /** Top-level settings of this project, as structured values. */
  readonly settings: Record<string, unknown>;
  /** Keys of other namespaces (pulumi:, kubernetes:), as the CLI passes them. */
  readonly foreign: Record<string, unknown>;
  /** Top-level keys holding at least one secure value. */
  readonly secretKeys: Set<string>;
}

/** A test stand-in for a `secure:` value; tests search for this prefix to find leaks. */
export const TEST_SECRET_PREFIX = "test-secret:";

// Parsed YAML documents by path: every evaluation reads the same few files, and a file does not
// change during a test run. Readers below build fresh objects from a document, never hand it out.
const documents = new Map<string, any>();
function readYaml(file: string): any {
  if (!documents.has(file)) documents.set(file, deepFreeze(fs.existsSync(file) ? (parse(fs.readFileSync(file, "utf8")) ?? {}) : {}));
  return documents.get(file);
}

export function readStackFile(stack: string): StackSettings {
  const doc = readYaml(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`));
  const settings: Record<string, unknown> = {};
  const foreign: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [key, value] of Object.entries<unknown>(doc.config ?? {})) {
    const [ns, ...rest] = key.split(":");
    const name = rest.join(":");
    if (ns !== PROJECT) {
      foreign[key] = structuredClone(value);
      continue;
    }
    let secret = false;
    settings[name] = replaceSecure(value, name, () => (secret = true));
    if (secret) secretKeys.add(name);
  }
  return { settings, foreign, secretKeys };
}

function replaceSecure(value: unknown, at: string, found: () => void): unknown {
  if (Array.isArray(value)) return value.map((v, i) => replaceSecure(v, `${at}.${i}`, found));
  if (typeof value !== "object" || value === null) return value;
  const obj = value as Record<string, unknown>;
  if (Object.keys(obj).length === 1 && typeof obj.secure === "string") {
    found();
    return `${TEST_SECRET_PREFIX}${at}`;
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, replaceSecure(v, `${at}.${k}`, found)]));
}

/** Defaults of the config keys Pulumi.yaml declares, as the CLI passes them to every stack. */
export function projectDefaults(): Record<string, unknown> {
  const project = readYaml(path.join(REPO_ROOT, "Pulumi.yaml"));
  const out: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries<any>(project.config ?? {})) {
    const name = key.startsWith(`${PROJECT}:`) ? key.slice(PROJECT.length + 1) : key;
    if (decl && typeof decl === "object" && "default" in decl) out[name] = structuredClone(decl.default);
  }
  return out;
}

/** Sets `value` at a dotted path like `pulumi config set --path a.b.0.c value` does. */
export function setPath(settings: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let node: Record<string, unknown> | unknown[] = settings;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    const slot = Array.isArray(node) ? Number(key) : key;
    const container = node as Record<string | number, unknown>;
    if (last) {
      container[slot] = value;
      return;
    }
    if (typeof container[slot] !== "object" || container[slot] === null) {
      container[slot] = /^\d+$/.test(keys[i + 1]) ? [] : {};
    }
    node = container[slot] as Record<string, unknown>;
  });
}

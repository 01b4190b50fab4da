// Runs the real program (index.ts) under Pulumi mocks for a named stack and records every
// resource registration with its inputs and the options the engine would receive.
import * as pulumi from "@pulumi/pulumi";
import { StackMocks } from "./mocks";
import { PROJECT, projectDefaults, readStackFile, setPath } from "./stackFile";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly custom: boolean;
  /** Inputs with secret wrappers removed. */
  readonly inputs: Record<string, any>;
  /** Dotted input paths that arrived as secrets ("" = the whole object). */
  readonly secretPaths: string[];
  /** Inputs with every secret part replaced by "[secret]": what could leak in plain text. */
  readonly plainInputs: Record<string, any>;
  /** Outputs as the mocks computed them (e.g. the autonamed metadata.name), secrets unwrapped. */
  readonly state: Record<string, any>;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly deleteBeforeReplace: boolean;
  readonly ignoreChanges: string[];
  /** Former identities (aliases) as "<name> under <parent URN>": the engine adopts those instead of replacing. */
  readonly aliases: string[];
  readonly parent: string;
  readonly dependencies: string[];
  readonly provider: string;
}

export interface ProgramRun {
  readonly stack: string;
  readonly resources: RecordedResource[];
  /** Stack outputs, resolved. */
  readonly outputs: Record<string, unknown>;
  /** Names of stack outputs that are secrets. */
  readonly secretOutputs: Set<string>;
  /** Resources of a type (e.g. "kubernetes:apps/v1:Deployment"). */
  ofType(type: string): RecordedResource[];
  /** The one resource of a type and logical name; throws if absent. */
  get(type: string, name: string): RecordedResource;
}

export interface RunOptions {
  /** `pulumi config set --path <key> <value>` equivalents applied over the stack file. */
  readonly set?: Record<string, unknown>;
  /** `pulumi config set --secret --path <key> <value>` equivalents. */
  readonly setSecret?: Record<string, string>;
  /** Start from no stack file at all (code defaults only). */
  readonly withoutStackFile?: boolean;
  /** Evaluate as `pulumi preview` (the default, as a pull request check does) or, with false, as `pulumi up`. */
  readonly preview?: boolean;
}

const PROGRAM = require.resolve("../../index");

const runs = new Map<string, Promise<ProgramRun>>();

/**
 * Runs the program for `stack`, from the real Pulumi.<stack>.yaml plus `options`. A run is pure
 * data, so identical runs are evaluated once per test process and shared (treat it as read-only).
 */
export function runProgram(stack: string, options: RunOptions = {}): Promise<ProgramRun> {
  const key = JSON.stringify([stack, options]);
  if (!runs.has(key)) runs.set(key, evaluate(stack, options));
  return runs.get(key)!;
}

async function evaluate(stack: string, options: RunOptions): Promise<ProgramRun> {
  const recorded: RecordedResource[] = [];
  await pulumi.runtime.setMocks(new StackMocks(), PROJECT, stack, options.preview ?? true);
  recordRegistrations(recorded);
  setConfig(stack, options);

  delete require.cache[PROGRAM]; // index.ts is the only module with top-level effects
  const program: Record<string, unknown> = require(PROGRAM);
  const outputs: Record<string, unknown> = {};
  const secretOutputs = new Set<string>();
  for (const [name, value] of Object.entries(program)) {
    if (pulumi.Output.isInstance(value)) {
      if (await pulumi.isSecret(value)) secretOutputs.add(name);
      outputs[name] = await promiseOf(value);
    } else outputs[name] = value;
  }
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  return makeRun(stack, recorded, outputs, secretOutputs);
}

/** Runs the program expecting it to throw; returns the error and what was registered before it. */
export async function runProgramError(stack: string, options: RunOptions = {}): Promise<{ error: Error; resources: RecordedResource[] }> {
  const recorded: RecordedResource[] = [];
  await pulumi.runtime.setMocks(new StackMocks(), PROJECT, stack, options.preview ?? true);
  recordRegistrations(recorded);
  setConfig(stack, options);
  delete require.cache[PROGRAM]; // index.ts is the only module with top-level effects
  try {
    require(PROGRAM);
  } catch (error) {
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return { error: error as Error, resources: recorded };
  }
  throw new Error(`program for stack ${stack} did not fail`);
}

export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => (resolve(v), v)));
}

function setConfig(stack: string, options: RunOptions): void {
  const file = options.withoutStackFile ? { settings: {}, foreign: {}, secretKeys: new Set<string>() } : readStackFile(stack);
  // The CLI hands the program Pulumi.yaml's declared defaults for keys the stack does not set.
  const settings = { ...projectDefaults(), ...structuredClone(file.settings) };
  const secretKeys = new Set(file.secretKeys);
  for (const [path, value] of Object.entries(options.set ?? {})) setPath(settings, path, value);
  for (const [path, value] of Object.entries(options.setSecret ?? {})) {
    setPath(settings, path, value);
    secretKeys.add(path.split(".")[0]);
  }
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(file.foreign)) flat[k] = typeof v === "string" ? v : JSON.stringify(v);
  for (const [k, v] of Object.entries(settings)) flat[`${PROJECT}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  pulumi.runtime.setAllConfig(
    flat,
    [...secretKeys].map((k) => `${PROJECT}:${k}`),
  );
}

// The mock monitor hands `newResource` only type, name and inputs; wrap its registerResource to
// also keep the options the engine would act on (protect, ignoreChanges, parent, ...).
function recordRegistrations(into: RecordedResource[]): void {
  const monitor = (pulumi.runtime as unknown as { getMonitor(): any }).getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: any, res: any) => void) =>
    register(req, (err: any, res: any) => {
      if (!err) {
        const raw = req.getObject()?.toJavaScript() ?? {};
        const secretPaths: string[] = [];
        into.push({
          type: req.getType(),
          name: req.getName(),
          urn: res.getUrn(),
          custom: req.getCustom(),
          inputs: unwrap(raw, "", secretPaths),
          plainInputs: redact(raw),
          state: unwrap(res.getObject()?.toJavaScript() ?? {}, "", []),
          secretPaths,
          protect: req.getProtect() === true,
          retainOnDelete: req.getRetainondelete() === true,
          deleteBeforeReplace: req.getDeletebeforereplace() === true,
          ignoreChanges: req.getIgnorechangesList(),
          aliases: [
            ...req.getAliasurnsList(),
            ...req
              .getAliasesList()
              .map((a: any) =>
                a.getUrn()
                  ? a.getUrn()
                  : `${a.getSpec().getType() || req.getType()}::${a.getSpec().getName() || req.getName()}` +
                    ` under ${a.getSpec().getParenturn()}`,
              ),
          ],
          parent: req.getParent(),
          dependencies: req.getDependenciesList(),
          provider: req.getProvider(),
        });
      }
      callback(err, res);
    });
}

const isSecretWrapper = (v: any) => v !== null && typeof v === "object" && v[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270";

function unwrap(value: any, at: string, secretPaths: string[]): any {
  if (isSecretWrapper(value)) {
    secretPaths.push(at);
    return unwrap(value.value, at, []);
  }
  if (Array.isArray(value)) return value.map((v, i) => unwrap(v, at ? `${at}.${i}` : `${i}`, secretPaths));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v, at ? `${at}.${k}` : k, secretPaths)]));
  }
  return value;
}

function redact(value: any): any {
  if (isSecretWrapper(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
  return value;
}

function makeRun(stack: string, resources: RecordedResource[], outputs: Record<string, unknown>, secretOutputs: Set<string>): ProgramRun {
  return {
    stack,
    resources,
    outputs,
    secretOutputs,
    ofType: (type) => resources.filter((r) => r.type === type),
    get: (type, name) => {
      const found = resources.find((r) => r.type === type && r.name === name);
      if (!found)
        throw new Error(
          `no ${type} named ${name}; have: ${
            resources
              .filter((r) => r.type === type)
              .map((r) => r.name)
              .join(", ") || "none of that type"
          }`,
        );
      return found;
    },
  };
}

// Runs the real program (index.ts) under Pulumi mocks for a named stack and records every
// resource registration with its inputs and the options the engine would receive.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { deepFreeze, frozenSet } from "./freeze";
import { StackMocks } from "./mocks";
import { serially } from "./serial";
import { skipSdkStackCaptures } from "./stack-traces";
import { PROJECT, projectDefaults, readStackFile, setPath } from "./stackFile";

/**
 * One registration, as the engine would receive it. Recorded runs are shared by every test of a
 * process, so they are deep-frozen: a test that needs to change something works on a copy.
 */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly custom: boolean;
  /** Inputs with secret wrappers removed. */
  readonly inputs: Record<string, any>;
  /** Dotted input paths that arrived as secrets ("" = the whole object). */
  readonly secretPaths: readonly string[];
  /** Inputs with every secret part replaced by "[secret]": what could leak in plain text. */
  readonly plainInputs: Record<string, any>;
  /** Outputs as the mocks computed them (e.g. the autonamed metadata.name), secrets unwrapped. */
  readonly state: Record<string, any>;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly deleteBeforeReplace: boolean;
  readonly ignoreChanges: readonly string[];
  /** Former identities (aliases) as "<name> under <parent URN>": the engine adopts those instead of replacing. */
  readonly aliases: readonly string[];
  readonly parent: string;
  readonly dependencies: readonly string[];
  readonly provider: string;
}

/** Everything one evaluation of the program registered and exported; deep-frozen. */
export interface ProgramRun {
  readonly stack: string;
  readonly resources: readonly RecordedResource[];
  /** Stack outputs, resolved. */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Names of stack outputs that are secrets. */
  readonly secretOutputs: ReadonlySet<string>;
  /**
   * What the program logged with pulumi.log.warn during the evaluation, in order (the CLI shows
   * these as warnings). Kept here rather than printed, so that any test can read them from a
   * shared run and the suite's output stays clean.
   */
  readonly warnings: readonly string[];
  /** Resources of a type (e.g. T.Deployment). */
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
  /** The program module to run: the real index.ts unless given (benchmarks pass FLOOR_PROGRAM). */
  readonly program?: string;
}

// Pulumi's own stack captures cost most of an evaluation and nothing reads them under mocks (stack-traces.ts).
skipSdkStackCaptures();

const PROGRAM = require.resolve("../../index");
/** The smallest program (one Namespace, one ConfigMap): what every evaluation pays, for comparison. */
export const FLOOR_PROGRAM = require.resolve("./floor");

const runs = new Map<string, Promise<ProgramRun>>();

/**
 * Evaluations share the SDK's global runtime state (mocks, config, the registration hook), so they
 * run one at a time even when several are asked for at once (specs that start work early).
 */
const oneAtATime = serially();

/**
 * Runs the program for `stack`, from the real Pulumi.<stack>.yaml plus `options`. A run is pure
 * data, so identical runs are evaluated once per process and shared; it is deep-frozen, so a test
 * that mutated it by mistake fails instead of changing what later tests see.
 */
export function runProgram(stack: string, options: RunOptions = {}): Promise<ProgramRun> {
  const key = JSON.stringify([stack, { preview: true, ...options }]); // preview is the default: {} and { preview: true } are one run
  if (!runs.has(key)) {
    logEvaluation("run", key);
    runs.set(
      key,
      oneAtATime(() => evaluate(stack, options)),
    );
  }
  return runs.get(key)!;
}

/**
 * With APE_HARNESS_STATS set to a file, every evaluation appends one line to it ("run" or "refused",
 * then the stack and options): how many times a suite evaluates the program, and for what
 * (npm run bench reports it; an evaluation is most of what a unit test costs).
 */
function logEvaluation(kind: "run" | "refused", key: string): void {
  const file = process.env.APE_HARNESS_STATS;
  if (file) fs.appendFileSync(file, `${kind} ${key}\n`);
}

/** Fresh mocks and config for one evaluation of `stack`; returns where its registrations are recorded. */
async function prepareEvaluation(stack: string, options: RunOptions): Promise<RecordedResource[]> {
  const recorded: RecordedResource[] = [];
  await pulumi.runtime.setMocks(new StackMocks(), PROJECT, stack, options.preview ?? true);
  recordRegistrations(recorded);
  setConfig(stack, options);
  return recorded;
}

/** Waits until every registration the program started has reached the mock monitor. */
const waitForRPCs = (): Promise<void> => (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

async function evaluate(stack: string, options: RunOptions): Promise<ProgramRun> {
  const recorded = await prepareEvaluation(stack, options);
  const outputs: Record<string, unknown> = {};
  const secretOutputs = new Set<string>();
  const warnings = await capturingWarnings(async () => {
    const program = loadProgram(options.program ?? PROGRAM);
    for (const [name, value] of Object.entries(program)) {
      if (pulumi.Output.isInstance(value)) {
        if (await pulumi.isSecret(value)) secretOutputs.add(name);
        // A copy: the run owns its data, and freezing it must not freeze the program's own objects.
        outputs[name] = structuredClone(await promiseOf(value));
      } else outputs[name] = value;
    }
    await waitForRPCs();
  });
  return makeRun(stack, recorded, outputs, secretOutputs, warnings);
}

/** Runs `work` with pulumi.log.warn collecting its messages; returns them. Evaluations run one at a time. */
async function capturingWarnings(work: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const warn = pulumi.log.warn;
  pulumi.log.warn = (message: string) => {
    warnings.push(message);
    return Promise.resolve();
  };
  try {
    await work();
  } finally {
    pulumi.log.warn = warn;
  }
  return warnings;
}

/** A run that failed: the error, what was registered before it, and the warnings logged (as ProgramRun.warnings). */
export interface FailedRun {
  readonly error: Error;
  readonly resources: readonly RecordedResource[];
  readonly warnings: readonly string[];
}

/** Runs the program expecting it to throw. */
export function runProgramError(stack: string, options: RunOptions = {}): Promise<FailedRun> {
  logEvaluation("refused", JSON.stringify([stack, options]));
  return oneAtATime(() => evaluateError(stack, options));
}

async function evaluateError(stack: string, options: RunOptions): Promise<FailedRun> {
  const recorded = await prepareEvaluation(stack, options);
  let error: Error | undefined;
  const warnings = await capturingWarnings(async () => {
    try {
      loadProgram(options.program ?? PROGRAM);
    } catch (thrown) {
      error = thrown as Error;
      await waitForRPCs();
    }
  });
  if (!error) throw new Error(`program for stack ${stack} did not fail`);
  return { error, resources: deepFreeze(recorded), warnings: deepFreeze(warnings) };
}

/**
 * Runs the program module afresh (it is the only module with top-level effects) and returns its
 * exports. Node keeps every module it loads in its parent's `children` list, even once it is out of
 * the require cache; left there, each run's exports (and through them every resource object of the
 * run) would stay reachable for the rest of the suite, about 4 MB a run, which the garbage collector
 * then walks again and again.
 */
function loadProgram(main: string): Record<string, unknown> {
  delete require.cache[main];
  try {
    return require(main);
  } finally {
    const loaded = module.children.findIndex((child) => child.id === main);
    if (loaded !== -1) module.children.splice(loaded, 1);
  }
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
      if (!err) into.push(new Recorded(req, res));
      callback(err, res);
    });
}

/**
 * A registration. Its inputs and state are kept as the plain data the request and the response
 * carry (the protobuf messages themselves are many times larger, and a suite keeps every run it
 * evaluates); secrets are unwrapped or redacted when a test first reads them (most tests read a
 * few resources of a run), then kept, deep-frozen.
 */
class Recorded implements RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly custom: boolean;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly deleteBeforeReplace: boolean;
  readonly ignoreChanges: readonly string[];
  readonly aliases: readonly string[];
  readonly parent: string;
  readonly dependencies: readonly string[];
  readonly provider: string;
  #wire: { inputs: Record<string, any>; state: Record<string, any> };
  #inputs?: { inputs: Record<string, any>; secretPaths: string[] };
  #plainInputs?: Record<string, any>;
  #state?: Record<string, any>;

  constructor(req: any, res: any) {
    this.type = req.getType();
    this.name = req.getName();
    this.urn = res.getUrn();
    this.custom = req.getCustom();
    this.protect = req.getProtect() === true;
    this.retainOnDelete = req.getRetainondelete() === true;
    this.deleteBeforeReplace = req.getDeletebeforereplace() === true;
    this.ignoreChanges = req.getIgnorechangesList();
    this.aliases = [
      ...req.getAliasurnsList(),
      ...req
        .getAliasesList()
        .map((a: any) =>
          a.getUrn()
            ? a.getUrn()
            : `${a.getSpec().getType() || req.getType()}::${a.getSpec().getName() || req.getName()} under ${a.getSpec().getParenturn()}`,
        ),
    ];
    this.parent = req.getParent();
    this.dependencies = req.getDependenciesList();
    this.provider = req.getProvider();
    this.#wire = { inputs: req.getObject()?.toJavaScript() ?? {}, state: res.getObject()?.toJavaScript() ?? {} };
  }

  get inputs(): Record<string, any> {
    return this.#unwrapped().inputs;
  }
  get secretPaths(): readonly string[] {
    return this.#unwrapped().secretPaths;
  }
  get plainInputs(): Record<string, any> {
    return (this.#plainInputs ??= deepFreeze(redact(this.#wire.inputs)));
  }
  get state(): Record<string, any> {
    return (this.#state ??= deepFreeze(unwrap(this.#wire.state, "", [])));
  }
  #unwrapped(): { inputs: Record<string, any>; secretPaths: string[] } {
    if (!this.#inputs) {
      const secretPaths: string[] = [];
      const inputs = unwrap(this.#wire.inputs, "", secretPaths);
      this.#inputs = { inputs: deepFreeze(inputs), secretPaths: deepFreeze(secretPaths) };
    }
    return this.#inputs;
  }
}

// How the SDK marks a secret value in serialized inputs: { [specialSigKey]: specialSecretSig, value }.
const isSecretWrapper = (v: any) =>
  v !== null && typeof v === "object" && v[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;

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

function makeRun(
  stack: string,
  resources: RecordedResource[],
  outputs: Record<string, unknown>,
  secretOutputs: Set<string>,
  warnings: string[],
): ProgramRun {
  deepFreeze(resources);
  deepFreeze(outputs);
  return Object.freeze<ProgramRun>({
    stack,
    resources,
    outputs,
    secretOutputs: frozenSet(secretOutputs),
    warnings: deepFreeze(warnings),
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
  });
}

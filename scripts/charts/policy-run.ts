// Runs policy-pack rules without the Pulumi engine: builds the args the analyzer would pass
// (type, props, urn, opts, stackTags, getConfig, notApplicable, isType) for plain objects, such as
// the objects a chart renders (npm run chart-diff -- --rules) or resources a test makes.
import type {
  PolicyResource,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";

export interface FakeResource {
  readonly type: string;
  readonly props: Record<string, any>;
  readonly name?: string;
  readonly urn?: string;
  readonly protect?: boolean;
  /** URNs of resources this one depends on (stack policies). */
  readonly dependencies?: readonly string[];
  /** URN of the parent (component) resource. */
  readonly parent?: string;
}

export interface Violation {
  readonly policy: string;
  readonly resource: string;
  readonly message: string;
}

class NotApplicable extends Error {}

const isType = (type: string) => (cls: any) => cls?.__pulumiType === type;

function configFor(policy: { configSchema?: { properties?: Record<string, any> } }, given: Record<string, any> = {}): Record<string, any> {
  const defaults: Record<string, any> = {};
  for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {}))
    if (schema && "default" in schema) defaults[key] = schema.default;
  return { ...defaults, ...given };
}

export const urnOf = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::ape-2026::${type}::${name}`;

function resourceArgs(r: FakeResource, stack: string, config: Record<string, any>): ResourceValidationArgs {
  const name = r.name ?? "test";
  return {
    type: r.type,
    props: r.props,
    urn: r.urn ?? urnOf(stack, r.type, name),
    name,
    opts: {
      protect: r.protect ?? false,
      parent: r.parent || undefined,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    isType: isType(r.type),
    asType: ((cls: any) => (isType(r.type)(cls) ? r.props : undefined)) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

/** Violation messages a resource policy reports for one resource (stack name from `stack`). */
export async function checkResource(
  policy: ResourceValidationPolicy,
  resource: FakeResource,
  options: { stack?: string; config?: Record<string, any> } = {},
): Promise<string[]> {
  const messages: string[] = [];
  const args = resourceArgs(resource, options.stack ?? "dev", configFor(policy, options.config));
  const validations: ResourceValidation[] = [policy.validateResource ?? []].flat();
  for (const validate of validations) {
    try {
      await validate(args, (message) => messages.push(message));
    } catch (e) {
      if (!(e instanceof NotApplicable)) throw e;
    }
  }
  return messages;
}

function policyResources(resources: FakeResource[], stack: string): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const out = resources.map((r, i) => {
    const args = resourceArgs({ ...r, name: r.name ?? `r${i}` }, stack, {});
    const pr: PolicyResource = {
      type: args.type,
      props: args.props,
      urn: args.urn,
      name: args.name,
      opts: args.opts,
      dependencies: [],
      propertyDependencies: {},
      isType: args.isType,
      asType: args.asType as PolicyResource["asType"],
    };
    byUrn.set(pr.urn, pr);
    return pr;
  });
  resources.forEach((r, i) => {
    (out[i] as { dependencies: PolicyResource[] }).dependencies = (r.dependencies ?? [])
      .map((u) => byUrn.get(u))
      .filter((d): d is PolicyResource => !!d);
  });
  return out;
}

/** Violations a stack policy reports over a set of resources: [resource name, message]. */
export async function checkStack(
  policy: StackValidationPolicy,
  resources: FakeResource[],
  options: { stack?: string; config?: Record<string, any> } = {},
): Promise<{ urn?: string; message: string }[]> {
  const stack = options.stack ?? "dev";
  const found: { urn?: string; message: string }[] = [];
  const config = configFor(policy, options.config);
  try {
    await policy.validateStack(
      {
        resources: policyResources(resources, stack),
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
          throw new NotApplicable(reason);
        },
      },
      (message, urn) => found.push({ urn, message }),
    );
  } catch (e) {
    if (!(e instanceof NotApplicable)) throw e;
  }
  return found;
}

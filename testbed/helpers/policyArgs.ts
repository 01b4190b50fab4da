// The engine-free policy runner (scripts/charts/policy-run.ts) for the resources a mocked program
// run recorded.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { ProgramRun, RecordedResource } from "../harness/program";
import { FakeResource, Violation, urnOf, checkResource, checkStack } from "../../scripts/charts/policy-run";

export { FakeResource, Violation, urnOf, checkResource, checkStack };

/** The recorded custom resources of a program run, as the analyzer would see them. */
export function fakeResources(run: ProgramRun): FakeResource[] {
  return run.resources
    .filter((r: RecordedResource) => r.custom && !r.type.startsWith("pulumi:providers:"))
    .map((r) => ({
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: r.inputs,
      protect: r.protect,
      dependencies: r.dependencies,
      parent: r.parent,
    }));
}

/** Every violation of the whole pack over a program run, with pack config per policy. */
export async function checkPack(
  pack: { resourcePolicies: ResourceValidationPolicy[]; stackPolicies: StackValidationPolicy[] },
  run: ProgramRun,
  packConfig: Record<string, Record<string, any>> = {},
): Promise<Violation[]> {
  const resources = fakeResources(run);
  const violations: Violation[] = [];
  for (const policy of pack.resourcePolicies)
    for (const r of resources)
      for (const message of await checkResource(policy, r, { stack: run.stack, config: packConfig[policy.name] }))
        violations.push({ policy: policy.name, resource: `${r.type}::${r.name}`, message });
  for (const policy of pack.stackPolicies)
    for (const v of await checkStack(policy, resources, { stack: run.stack, config: packConfig[policy.name] }))
      violations.push({ policy: policy.name, resource: v.urn ?? "(stack)", message: v.message });
  return violations;
}

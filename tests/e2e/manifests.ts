// Kubernetes manifests of every object the program registers for a stack (chart releases and
// providers excluded), as the provider would send them, for applying with kubectl.
import { ProgramRun, RecordedResource } from "../helpers/program";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** Is this a plain Kubernetes object (not a Helm release, provider or component)? */
export function isKubernetesObject(r: RecordedResource): boolean {
  return r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && !r.type.startsWith("pulumi:providers:");
}

/** The manifest of a recorded object: its inputs plus the name the provider would assign. */
export function toManifest(r: RecordedResource): Manifest {
  const inputs = r.inputs as Manifest;
  const name = inputs.metadata?.name ?? r.state.metadata?.name;
  if (!inputs.apiVersion || !inputs.kind || !name) throw new Error(`${r.type} ${r.name}: no apiVersion, kind or name`);
  return { ...inputs, metadata: { ...inputs.metadata, name } };
}

export function stackManifests(run: ProgramRun): Manifest[] {
  return run.resources.filter(isKubernetesObject).map(toManifest);
}

export const describeManifest = (m: Manifest) => `${m.kind}/${m.metadata.namespace ? `${m.metadata.namespace}/` : ""}${m.metadata.name}`;

// Kubernetes manifests of every object the program registers for a stack (chart releases and
// providers excluded), as the provider would send them, for applying with kubectl.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProgramRun, RecordedResource } from "../harness/program";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** Is this a plain Kubernetes object (not a Helm release, provider or component)? */
export function isKubernetesObject(r: RecordedResource): boolean {
  return (
    r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && !r.type.startsWith("pulumi:providers:")
  );
}

/** The manifest of a recorded object: its inputs plus the name the provider would assign. */
export function toManifest(r: RecordedResource): Manifest {
  const inputs = r.inputs as Manifest;
  const name = inputs.metadata?.name ?? r.state.metadata?.name;
  if (!inputs.apiVersion || !inputs.kind || !name) throw new Error(`${r.type} ${r.name}: no apiVersion, kind or name`);
  return { ...inputs, metadata: { ...inputs.metadata, name } };
}

/** The pod spec a workload object runs (Deployment, StatefulSet, DaemonSet, Job, CronJob), else undefined. */
export function podSpecOf(d: Record<string, any>): Record<string, any> | undefined {
  if (d.kind === "CronJob") return d.spec?.jobTemplate?.spec?.template?.spec;
  return ["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(d.kind) ? d.spec?.template?.spec : undefined;
}

export function stackManifests(run: ProgramRun): Manifest[] {
  return run.resources.filter(isKubernetesObject).map(toManifest).map(withRealTlsMaterial);
}

let tlsPair: { "tls.crt": string; "tls.key": string } | undefined;

/**
 * The mocks cannot sign certificates, and the API server checks the PEM of kubernetes.io/tls
 * Secrets. Such a Secret gets a real throw-away pair made with openssl; everything else is as
 * the program registered it.
 */
function withRealTlsMaterial(m: Manifest): Manifest {
  if (m.kind !== "Secret" || m.type !== "kubernetes.io/tls") return m;
  if (!tlsPair) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-e2e-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=e2e",
        "-keyout",
        path.join(dir, "k"),
        "-out",
        path.join(dir, "c"),
      ],
      { stdio: "ignore" },
    );
    tlsPair = { "tls.crt": fs.readFileSync(path.join(dir, "c"), "utf8"), "tls.key": fs.readFileSync(path.join(dir, "k"), "utf8") };
    fs.rmSync(dir, { recursive: true });
  }
  const { data: _data, ...rest } = m as Manifest & { data?: unknown };
  return { ...rest, stringData: { ...((m.stringData as object) ?? {}), ...tlsPair } };
}

export const describeManifest = (m: Manifest) => `${m.kind}/${m.metadata.namespace ? `${m.metadata.namespace}/` : ""}${m.metadata.name}`;

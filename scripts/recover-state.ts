// Helpers for the recoveries in docs/operations.md ("When things go wrong"). Each reads what Pulumi
// printed (a state export or a preview plan) and the cluster (kubectl, current context), and
// prints what to run or writes an import file; nothing here changes the stack or the cluster.
//
//   npx ts-node -T scripts/recover-state.ts pending <state.json> [namespace]
//       after an interrupted update: the `pulumi refresh` flags that import each pending create
//       the cluster has (ID namespace/name) and clear the others.
//   npx ts-node -T scripts/recover-state.ts import-file <plan.json> <import.json> [namespace]
//       after a lost state without a backup: from `pulumi preview --json` of the empty stack, the
//       `pulumi import --file` input for every protected resource whose object the cluster has,
//       with its components and the Kubernetes provider; generated passwords are read from their
//       Secrets and written as secrets (the file is created 0600: delete it after the import).
//   npx ts-node -T scripts/recover-state.ts leftovers <state.json> [namespace]
//       objects of this program (label app.kubernetes.io/part-of=ape-2026) that the state does not
//       know, e.g. the API's auto-named ConfigMap and Secret left behind after re-creating them.
import { spawnSync } from "child_process";
import * as fs from "fs";

interface Resource {
  readonly urn: string;
  readonly type: string;
  readonly custom?: boolean;
  readonly protect?: boolean;
  readonly parent?: string;
  readonly provider?: string;
  readonly inputs?: Record<string, any>;
  readonly outputs?: Record<string, any>;
}

/** A value `pulumi preview` of an empty stack cannot know yet (it depends on another resource's output). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** How a Pulumi state file marks a secret value. */
const SECRET = { sig: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };
const PART_OF = "ape-2026";

const known = (v: unknown): v is string => typeof v === "string" && v !== UNKNOWN;

function kubectl(args: string[]): { ok: boolean; out: string } {
  const res = spawnSync("kubectl", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { ok: res.status === 0, out: res.stdout };
}

/** The provider ID of a Kubernetes object or Helm release: namespace/name, or name when cluster-scoped. */
function idOf(r: Resource, namespace: string): string | undefined {
  if (r.type === "kubernetes:helm.sh/v3:Release") {
    return known(r.inputs?.name) ? `${known(r.inputs?.namespace) ? r.inputs!.namespace : namespace}/${r.inputs!.name}` : undefined;
  }
  const meta = r.inputs?.metadata;
  if (!known(meta?.name)) return undefined;
  if (r.type === "kubernetes:core/v1:Namespace") return meta.name;
  return `${known(meta.namespace) ? meta.namespace : namespace}/${meta.name}`;
}

/** Whether the object behind a Kubernetes resource or Helm release exists in the cluster. */
function exists(r: Resource, id: string): boolean {
  const [ns, name] = id.includes("/") ? id.split("/") : [undefined, id];
  if (r.type === "kubernetes:helm.sh/v3:Release") {
    const out = kubectl(["get", "secrets", "-n", ns!, "-l", `owner=helm,name=${name}`, "-o", "name"]);
    return out.ok && out.out.trim() !== "";
  }
  const [, groupVersion, kind] = r.type.split(":");
  const [group, version] = groupVersion.split("/");
  const res = group === "core" ? kind : `${kind}.${version}.${group}`;
  const out = kubectl(["get", res, name, ...(ns ? ["-n", ns] : []), "--ignore-not-found", "-o", "name"]);
  return out.ok && out.out.trim() !== "";
}

function deployment(file: string): { resources?: Resource[]; pending_operations?: Array<{ type: string; resource: Resource }> } {
  const text = fs.readFileSync(file, "utf8");
  const json = JSON.parse(text.slice(text.indexOf("{")));
  return json.deployment ?? json;
}

/** `pulumi refresh` flags for the pending creates of an interrupted update. */
export function pendingRefreshArgs(stateFile: string, namespace: string): string[] {
  const pending = deployment(stateFile).pending_operations ?? [];
  const args: string[] = [];
  let cleared = false;
  for (const { type, resource } of pending) {
    if (type !== "creating") continue;
    const id = resource.type.startsWith("kubernetes:") ? idOf(resource, namespace) : undefined;
    if (id && exists(resource, id)) args.push("--import-pending-creates", resource.urn, "--import-pending-creates", id);
    else cleared = true;
  }
  if (cleared) args.push("--clear-pending-creates");
  return args;
}

interface ImportEntry {
  type: string;
  name: string;
  logicalName: string;
  id?: string;
  parent?: string;
  provider?: string;
  version?: string;
  component?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** The `pulumi import --file` input that brings the protected resources back under management. */
export function importFile(planFile: string, namespace: string): { resources: ImportEntry[] } {
  const text = fs.readFileSync(planFile, "utf8");
  const steps: Array<{ urn: string; newState?: Resource }> = JSON.parse(text.slice(text.indexOf("{"))).steps ?? [];
  const planned = new Map(steps.filter((s) => s.newState).map((s) => [s.urn, s.newState!]));
  const urns = [...planned.keys()];
  const ref = (urn: string) => `r${urns.indexOf(urn)}`;
  const isStack = (urn?: string) => !urn || urn.includes("::pulumi:pulumi:Stack::");
  const parentRef = (urn?: string) => (!isStack(urn) && planned.has(urn!) ? ref(urn!) : undefined);
  const logical = (urn: string) => urn.split("::").pop()!;
  const entries = new Map<string, ImportEntry>();

  const provider = urns.find((u) => planned.get(u)!.type === "pulumi:providers:kubernetes");
  if (provider) {
    entries.set(provider, {
      type: "pulumi:providers:kubernetes",
      name: ref(provider),
      logicalName: logical(provider),
      inputs: planned.get(provider)!.inputs,
    });
  }
  const addComponents = (urn?: string) => {
    for (; !isStack(urn) && planned.has(urn!); urn = planned.get(urn!)!.parent) {
      const r = planned.get(urn!)!;
      if (r.custom === false && !entries.has(urn!)) {
        entries.set(urn!, { type: r.type, name: ref(urn!), logicalName: logical(urn!), component: true, parent: parentRef(r.parent) });
      }
    }
  };
  // Generated passwords: the Credentials component's Secret holds each one under the key that ends
  // the RandomPassword's name (<credentials>-<key>).
  const secretOf = (password: Resource): { name: string; key: string } | undefined => {
    const sibling = [...planned.values()].find(
      (r) => r.type === "kubernetes:core/v1:Secret" && r.parent === password.parent && known(r.inputs?.metadata?.name),
    );
    const credentials = password.parent ? logical(password.parent) : "";
    const own = logical(password.urn);
    if (!sibling || !own.startsWith(`${credentials}-`)) return undefined;
    return { name: sibling.inputs!.metadata.name, key: own.slice(credentials.length + 1) };
  };

  for (const [urn, r] of planned) {
    if (!r.protect || r.custom === false) continue;
    if (r.type === "random:index/randomPassword:RandomPassword") {
      const secret = secretOf(r);
      if (!secret) continue;
      const got = kubectl(["get", "secret", secret.name, "-n", namespace, "-o", "json"]);
      const encoded = got.ok ? JSON.parse(got.out).data?.[secret.key] : undefined;
      if (!encoded) continue;
      const inputs = r.inputs ?? {};
      const version = /::default_(\d+)_(\d+)_(\d+)::/.exec(r.provider ?? "");
      // The state is written from these values, not read through the provider: its import would
      // take the ID as the password and reset every other input, which the next update would then
      // "fix" by generating a new password.
      entries.set(urn, {
        type: r.type,
        name: ref(urn),
        logicalName: logical(urn),
        id: "none",
        parent: parentRef(r.parent),
        ...(version ? { version: version.slice(1).join(".") } : {}),
        inputs,
        outputs: {
          ...inputs,
          id: "none",
          number: inputs.numeric,
          minSpecial: inputs.minSpecial ?? 0,
          result: { [SECRET.sig]: SECRET.value, plaintext: JSON.stringify(Buffer.from(encoded, "base64").toString("utf8")) },
        },
      });
    } else if (r.type.startsWith("kubernetes:")) {
      const id = idOf(r, namespace);
      if (!id || !exists(r, id)) continue;
      entries.set(urn, {
        type: r.type,
        name: ref(urn),
        logicalName: logical(urn),
        id,
        parent: parentRef(r.parent),
        ...(provider ? { provider: ref(provider) } : {}),
      });
    } else continue;
    addComponents(r.parent);
  }
  return { resources: [...entries.values()] };
}

/** Objects of this program in the namespace that the state does not account for, as kind/name. */
export function leftovers(stateFile: string, namespace: string): string[] {
  const inState = new Set(
    (deployment(stateFile).resources ?? [])
      .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/"))
      .map((r) => `${r.type.split(":")[2]}/${r.outputs?.metadata?.name ?? r.inputs?.metadata?.name}`),
  );
  const kinds = "configmaps,secrets,services,deployments,networkpolicies,serviceaccounts,persistentvolumeclaims,ingresses,hpa,pdb";
  const got = kubectl(["get", kinds, "-n", namespace, "-l", `app.kubernetes.io/part-of=${PART_OF}`, "-o", "json"]);
  if (!got.ok) throw new Error(`kubectl get ${kinds} -n ${namespace} failed`);
  return (JSON.parse(got.out).items as Array<{ kind: string; metadata: { name: string } }>)
    .map((o) => `${o.kind}/${o.metadata.name}`)
    .filter((k) => !inState.has(k));
}

function main(argv: string[]): number {
  const [command, file, third, fourth] = argv;
  if (command === "pending" && file) {
    console.log(pendingRefreshArgs(file, third ?? PART_OF).join(" "));
    return 0;
  }
  if (command === "import-file" && file && third) {
    fs.writeFileSync(third, JSON.stringify(importFile(file, fourth ?? PART_OF), null, 2) + "\n", { mode: 0o600 });
    return 0;
  }
  if (command === "leftovers" && file) {
    for (const o of leftovers(file, third ?? PART_OF)) console.log(o);
    return 0;
  }
  console.error(
    "usage: recover-state.ts pending <state.json> [namespace]\n" +
      "       recover-state.ts import-file <plan.json> <import.json> [namespace]\n" +
      "       recover-state.ts leftovers <state.json> [namespace]",
  );
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

// Stage 1 of the real-engine test: every Kubernetes object the program registers for the dev and
// production stacks is admitted by a real API server (server-side dry-run, then for real), a
// second apply changes nothing, and everything deletes cleanly. Needs KUBECONFIG of a throw-away
// control plane: run through `npm run test:e2e` (testbed/e2e.sh).
import * as assert from "assert";
import { runProgram } from "../harness/program";
import { apply, kubectl, remove } from "./kubectl";
import { describeManifest, Manifest, stackManifests } from "./manifests";

const clusterScoped = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "StorageClass", "PriorityClass"]);
/**
 * What must not change on a repeated apply: each object as the API server stores it, without its
 * bookkeeping (resourceVersion, managedFields) and without its status. Comparing resourceVersions
 * alone fails on objects a controller writes to in between: the disruption controller fills a
 * PodDisruptionBudget's status some time after the first apply (seen in CI), and this API server
 * bumps a PersistentVolumeClaim's resourceVersion on every server-side apply even when nothing
 * changes (measured with a bare claim and kubectl). A change made by the apply itself shows in
 * spec, data, metadata (labels, annotations, generation) or any other field compared here.
 */
const versionsOf = (items: any[]) =>
  new Map(
    items.map((o) => {
      const { resourceVersion: _r, managedFields: _m, ...metadata } = o.metadata;
      const { status: _s, ...object } = o;
      return [`${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`, JSON.stringify({ ...object, metadata })];
    }),
  );

for (const stack of ["dev", "production"]) {
  describe(`e2e objects: ${stack} stack on a real API server`, function () {
    this.timeout(300_000);
    let manifests: Manifest[] = [];
    let first: Map<string, string>;

    before(async () => {
      manifests = stackManifests(await runProgram(stack));
      assert.ok(manifests.length > 0, "the program registered no Kubernetes objects");
    });

    const namespaces = () => manifests.filter((m) => m.kind === "Namespace");
    const rest = () => manifests.filter((m) => m.kind !== "Namespace");

    it("the API server admits every object (server-side dry-run), with no Pod Security warning", () => {
      apply(namespaces(), true);
      apply(namespaces()); // namespaced dry-runs need the namespace to exist
      const { items, warnings } = apply(rest(), true);
      assert.strictEqual(items.length, rest().length);
      assert.deepStrictEqual(warnings, [], "the API server warned");
    });

    it("applies every object for real", () => {
      const { items, warnings } = apply(rest());
      assert.deepStrictEqual(warnings, []);
      first = versionsOf([...kubectl(["get", "-o", "json", "-f", "-"], { apiVersion: "v1", kind: "List", items: manifests }).items]);
      assert.strictEqual(items.length, rest().length);
      for (const m of rest())
        assert.ok(
          first.has(`${m.kind}/${clusterScoped.has(m.kind) ? "" : (m.metadata.namespace ?? "")}/${m.metadata.name}`),
          `${describeManifest(m)} not found after apply`,
        );
    });

    it("a second apply changes nothing (every object the same, status aside)", () => {
      apply(manifests);
      const second = versionsOf(kubectl(["get", "-o", "json", "-f", "-"], { apiVersion: "v1", kind: "List", items: manifests }).items);
      const changed = [...second].filter(([key, version]) => first.get(key) !== version).map(([key]) => key);
      assert.deepStrictEqual(changed, [], "objects changed on a repeated apply");
    });

    it("deletes everything, the namespace last", () => {
      remove(rest());
      remove(namespaces());
      const left = kubectl(["get", "namespaces", "-o", "json"]).items.map((n: any) => n.metadata.name);
      for (const ns of namespaces()) assert.ok(!left.includes(ns.metadata.name), `namespace ${ns.metadata.name} still exists`);
    });
  });
}

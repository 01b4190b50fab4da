// Drift inside chart releases (scripts/charts/drift.ts) without a cluster: Helm's release record
// is decoded from its Secret, managedFields become field paths, and a release whose live objects
// were edited by hand (answers of a stand-in kubectl) is reported by object and field. The same
// against a real API server: testbed/e2e/release-drift.e2e.ts.
import { strict as assert } from "assert";
import * as zlib from "zlib";
import { decodeRelease, driftLines, fieldPaths, helmReleases, Kubectl, releaseDrift } from "../../scripts/charts/drift";
import { Obj } from "../../scripts/charts/diff";

const MANIFEST = `---
# Source: shop/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: shop
  labels: { app: shop }
spec:
  ports: [{ port: 80 }]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: shop
          image: registry.example.com/shop:1.0.0
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
data:
  mode: "0644"
`;

/** A release Secret as Helm's storage driver writes it (the API returns data base64-encoded once more). */
function releaseSecret(name: string, version: number, status: string): Obj {
  const record = {
    name,
    namespace: "shop",
    version,
    info: { status },
    chart: { metadata: { name: "shop", version: "1.0.0" } },
    manifest: MANIFEST,
  };
  const stored = zlib.gzipSync(Buffer.from(JSON.stringify(record))).toString("base64");
  return {
    metadata: { name: `sh.helm.release.v1.${name}.v${version}`, labels: { owner: "helm", name, version: String(version), status } },
    data: { release: Buffer.from(stored).toString("base64") },
  };
}

describe("release drift", () => {
  it("decodes Helm's release record: revision, status, chart and the manifest (YAML 1.1 as Helm reads it)", () => {
    const r = decodeRelease(releaseSecret("shop", 3, "deployed"));
    assert.deepStrictEqual(
      { name: r.name, revision: r.revision, status: r.status, chart: r.chart },
      { name: "shop", revision: 3, status: "deployed", chart: "shop-1.0.0" },
    );
    assert.deepStrictEqual(
      r.manifest.map((o) => `${o.kind}/${o.metadata.name}`),
      ["Service/shop", "Deployment/shop", "ConfigMap/shop-config"],
    );
    assert.equal(r.manifest[2].data.mode, "0644");
  });

  it("reads the newest revision of each release", () => {
    const kubectl: Kubectl = () => ({
      status: 0,
      stderr: "",
      stdout: JSON.stringify({
        items: [releaseSecret("shop", 1, "superseded"), releaseSecret("shop", 2, "deployed"), releaseSecret("other", 1, "failed")],
      }),
    });
    assert.deepStrictEqual(
      helmReleases(kubectl, "shop").map((r) => `${r.name} ${r.revision} ${r.status}`),
      ["other 1 failed", "shop 2 deployed"],
    );
    assert.deepStrictEqual(
      helmReleases(kubectl, "shop", ["shop"]).map((r) => r.name),
      ["shop"],
    );
  });

  it("turns managedFields into field paths: keyed list items whole, other fields leaf by leaf", () => {
    const fields = {
      "f:spec": {
        "f:replicas": {},
        "f:template": {
          "f:spec": {
            "f:containers": {
              'k:{"name":"shop"}': {
                "f:image": {},
                "f:env": { 'k:{"name":"DEBUG"}': { ".": {}, "f:name": {}, "f:value": {} } },
              },
            },
          },
        },
      },
      "f:metadata": { "f:labels": { "f:app.kubernetes.io/part-of": {} } },
    };
    assert.deepStrictEqual(fieldPaths(fields), [
      "spec.replicas",
      "spec.template.spec.containers[name=shop].image",
      "spec.template.spec.containers[name=shop].env[name=DEBUG]",
      'metadata.labels["app.kubernetes.io/part-of"]',
    ]);
  });

  it("reports a deleted object, a changed field with both values, and what kubectl wrote", () => {
    const release = decodeRelease(releaseSecret("shop", 2, "deployed"));
    const [service, deployment] = release.manifest;
    const edited = structuredClone(deployment);
    edited.metadata = {
      name: "shop",
      namespace: "shop",
      resourceVersion: "42",
      managedFields: [
        { manager: "helm", operation: "Update", fieldsV1: { "f:spec": { "f:replicas": {} } } },
        {
          manager: "kubectl-edit",
          operation: "Update",
          time: "2026-12-06T10:00:00Z",
          fieldsV1: { "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"shop"}': { "f:image": {} } } } } } },
        },
      ],
    };
    edited.spec.template.spec.containers[0].image = "registry.example.com/shop:9.9.9";
    edited.status = { replicas: 1 };
    const liveService = { ...structuredClone(service), metadata: { ...service.metadata, namespace: "shop", uid: "u1" } };
    const calls: string[] = [];
    const kubectl: Kubectl = (args) => {
      calls.push(args.slice(0, 2).join(" "));
      if (args[0] === "get") return { status: 0, stderr: "", stdout: JSON.stringify({ items: [liveService, edited] }) };
      // The server-side dry run of the recorded manifest over the live objects: the image goes back.
      const reapplied = structuredClone(edited);
      reapplied.spec.template.spec.containers[0].image = "registry.example.com/shop:1.0.0";
      reapplied.metadata.generation = 2;
      return { status: 0, stderr: "", stdout: JSON.stringify({ items: [liveService, reapplied] }) };
    };
    const drift = releaseDrift(kubectl, release);
    assert.deepStrictEqual(calls, ["get -n", "apply --server-side"]);
    assert.deepStrictEqual(drift, [
      {
        release: "shop",
        id: "Deployment shop/shop",
        missing: false,
        fields: [
          {
            path: "spec.template.spec.containers[name=shop].image",
            op: "changed",
            before: '"registry.example.com/shop:1.0.0"',
            after: '"registry.example.com/shop:9.9.9"',
          },
        ],
        handWritten: [
          { manager: "kubectl-edit", time: "2026-12-06T10:00:00Z", fields: ["spec.template.spec.containers[name=shop].image"] },
        ],
      },
      { release: "shop", id: "ConfigMap shop/shop-config", missing: true, fields: [], handWritten: [] },
    ]);
    assert.deepStrictEqual(driftLines([release], drift), [
      "shop/shop (shop-1.0.0, revision 2): 2 object(s) drifted",
      "  ~ Deployment shop/shop",
      '      spec.template.spec.containers[name=shop].image: "registry.example.com/shop:1.0.0" recorded, "registry.example.com/shop:9.9.9" live',
      "      written by kubectl-edit at 2026-12-06T10:00:00Z: spec.template.spec.containers[name=shop].image",
      "  - ConfigMap shop/shop-config: deleted (Helm's record has it)",
    ]);
  });
});

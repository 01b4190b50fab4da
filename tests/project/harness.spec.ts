// The test harness itself: its type tokens are the SDK's, recorded runs cannot be changed by a
// test, and secrets are recognised by the SDK's own signature.
import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { ProgramRun, runProgram } from "../../testbed/harness/program";
import { T } from "../../testbed/harness/types";

describe("harness", () => {
  let dev: ProgramRun;
  before(async () => {
    dev = await runProgram("dev");
  });

  it("every type token is the one the SDK class (or this program's component) registers", () => {
    const sdk: Record<string, unknown> = {
      Namespace: k8s.core.v1.Namespace,
      ConfigMap: k8s.core.v1.ConfigMap,
      Secret: k8s.core.v1.Secret,
      Service: k8s.core.v1.Service,
      ServiceAccount: k8s.core.v1.ServiceAccount,
      ServiceAccountPatch: k8s.core.v1.ServiceAccountPatch,
      PersistentVolumeClaim: k8s.core.v1.PersistentVolumeClaim,
      Pod: k8s.core.v1.Pod,
      Deployment: k8s.apps.v1.Deployment,
      StatefulSet: k8s.apps.v1.StatefulSet,
      CronJob: k8s.batch.v1.CronJob,
      Job: k8s.batch.v1.Job,
      HorizontalPodAutoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler,
      PodDisruptionBudget: k8s.policy.v1.PodDisruptionBudget,
      Ingress: k8s.networking.v1.Ingress,
      NetworkPolicy: k8s.networking.v1.NetworkPolicy,
      Release: k8s.helm.v3.Release,
      RandomPassword: random.RandomPassword,
      PrivateKey: tls.PrivateKey,
      SelfSignedCert: tls.SelfSignedCert,
      CertRequest: tls.CertRequest,
      LocallySignedCert: tls.LocallySignedCert,
    };
    const wrong: string[] = [];
    for (const [key, token] of Object.entries(T)) {
      const cls = sdk[key] as { __pulumiType?: string } | undefined;
      if (cls) {
        if (cls.__pulumiType !== token) wrong.push(`${key}: ${token} != SDK ${cls.__pulumiType}`);
      } else if (key === "KubernetesProvider") {
        if (!dev.resources.some((r) => r.type === token && r.custom)) wrong.push(`${key}: no provider ${token} in the dev run`);
      } else if (key === "ServiceMonitor" || key === "PrometheusRule") {
        // CustomResources (apiextensions): the token is "kubernetes:" + apiVersion + ":" + kind.
        if (!token.startsWith("kubernetes:monitoring.coreos.com/v1:")) wrong.push(`${key}: ${token}`);
      } else if (!dev.resources.some((r) => r.type === token)) wrong.push(`${key}: nothing of type ${token} in the dev run`);
    }
    assert.deepStrictEqual(wrong, []);
  });

  it("a recorded run is deep-frozen: a test cannot change what later tests see", () => {
    const [deployment] = dev.ofType(T.Deployment);
    assert.throws(() => {
      deployment.inputs.spec.template.spec.containers[0].image = "changed";
    }, TypeError);
    assert.throws(() => (dev.resources as RecordedArray).push(deployment), TypeError);
    assert.throws(() => {
      (dev.outputs as Record<string, unknown>).url = "changed";
    }, TypeError);
    assert.throws(() => (dev.secretOutputs as Set<string>).add("url"), TypeError);
    assert.throws(() => (dev.secretOutputs as Set<string>).delete("grafanaAdminPassword"), TypeError);
    assert.ok(dev.secretOutputs.has("grafanaAdminPassword"));
    // A copy is the way to change something.
    const copy = structuredClone(deployment.inputs);
    copy.spec.template.spec.containers[0].image = "changed";
    assert.notStrictEqual(dev.get(T.Deployment, "api").inputs.spec.template.spec.containers[0].image, "changed");
  });

  it("keeps no evaluated program module alive (Node lists every loaded module under its parent)", () => {
    const harness = require.cache[require.resolve("../../testbed/harness/program")];
    assert.ok(harness, "the harness module is loaded");
    const program = require.resolve("../../index");
    assert.strictEqual(
      harness.children.filter((child) => child.id === program).length,
      0,
      "each run's exports (and every resource object behind them) would stay reachable for the whole suite",
    );
  });

  it("recognises secrets by the SDK's signature (pulumi.runtime.specialSigKey / specialSecretSig)", () => {
    assert.match(pulumi.runtime.specialSigKey, /^[0-9a-f]{32}$/);
    assert.match(pulumi.runtime.specialSecretSig, /^[0-9a-f]{32}$/);
    const password = dev.get(T.Secret, "postgresql-auth");
    assert.ok(password.secretPaths.length > 0, "the credentials Secret has secret inputs");
    assert.ok(!JSON.stringify(password.inputs).includes(pulumi.runtime.specialSecretSig), "inputs are unwrapped");
    assert.match(JSON.stringify(password.plainInputs), /\[secret\]/);
  });
});

describe("harness: stack traces", () => {
  it("Pulumi's per-promise bookkeeping captures no stack (the harness skips it: it is most of an evaluation)", () => {
    const debuggable = require("@pulumi/pulumi/runtime/debuggable");
    const p: any = Promise.resolve(1);
    const tracked = debuggable.debuggablePromise(p, "harness check");
    assert.strictEqual(p._debugCtx, "harness check", "the SDK still tracks the promise (leak report)");
    assert.doesNotMatch(String(p._debugStackTrace), /\n\s+at /, "no frames captured");
    return tracked;
  });

  it("every other stack is still captured and source-mapped to the TypeScript line", () => {
    const where = new Error("probe").stack ?? "";
    assert.match(where, /harness\.spec\.ts:\d+:\d+/);
    assert.ok(Error.stackTraceLimit > 0);
  });
});

type RecordedArray = ProgramRun["resources"][number][];

// Escape hatches: `<chart>.extraValues` reach the chart values last (they win), with Helm's merge
// rules; keys the program owns are refused, all at once, each naming the setting to use instead.
import * as assert from "assert";
import { runProgram, runProgramError } from "../../testbed/harness/program";

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("chart extraValues", () => {
  it("are merged last into each chart's values: maps merge, scalars replace, null removes the chart default", async () => {
    const run = await runProgram("production", {
      set: {
        "postgresql.extraValues": { primary: { priorityClassName: "db-critical", persistence: { size: "300Gi" } } },
        "redis.extraValues": { replica: { terminationGracePeriodSeconds: 60 } },
        "prometheus.extraValues": { server: { extraFlags: ["web.enable-lifecycle"] } },
        "grafana.extraValues": { podAnnotations: null, "grafana.ini": { users: { allow_sign_up: false } } },
      },
    });
    const values = (name: string) => run.get(RELEASE, name).inputs.values;
    assert.strictEqual(values("postgresql").primary.priorityClassName, "db-critical");
    assert.strictEqual(values("postgresql").primary.persistence.size, "300Gi", "the extra value wins");
    assert.strictEqual(values("postgresql").primary.persistence.storageClass, "fast-ssd", "its siblings stay");
    assert.strictEqual(values("redis").replica.terminationGracePeriodSeconds, 60);
    assert.ok(values("redis").replica.resources.limits.memory, "the modelled replica values stay");
    assert.deepStrictEqual(values("prometheus").server.extraFlags, ["web.enable-lifecycle"]);
    assert.strictEqual(values("grafana").podAnnotations, null, "null reaches Helm, which then drops the chart's default");
    assert.deepStrictEqual(values("grafana")["grafana.ini"], { users: { allow_sign_up: false } });
  });

  it("keys the program owns are refused, every one in one error, with the setting to use instead", async () => {
    const { error, resources } = await runProgramError("production", {
      set: {
        "postgresql.extraValues": { auth: { postgresPassword: "hunter2" }, primary: { image: { tag: "18" } } },
        "redis.extraValues": {
          master: { containerSecurityContext: { runAsUser: 0 } },
          networkPolicy: { enabled: true },
          replica: { extraEnvVars: [{ name: "TZ", value: "UTC" }] },
        },
        "prometheus.extraValues": { alertmanager: { config: { receivers: [] } } },
        "grafana.extraValues": { rbac: { namespaced: false }, smtp: { password: "s3cret" }, global: { imageRegistry: "x" } },
      },
    });
    assert.strictEqual(resources.length, 0, "nothing registered");
    const expected: [string, RegExp][] = [
      ["postgresql.extraValues.auth", /set postgresql\.auth\.database \/ postgresql\.auth\.username instead/],
      ["postgresql.extraValues.primary.image", /set postgresql\.image or postgresql\.timescaledbImage instead/],
      ["redis.extraValues.master.containerSecurityContext", /restricted Pod Security level/],
      ["redis.extraValues.networkPolicy", /set networkPolicy\.\* instead/],
      ["redis.extraValues.replica.extraEnvVars", /hand the master over .*replica\.extraEnvVarsCM or replica\.extraEnvVarsSecret instead/],
      ["prometheus.extraValues.alertmanager.config", /prometheus\.alertmanager\.receivers/],
      ["grafana.extraValues.rbac", /cannot be widened/],
      ["grafana.extraValues.smtp.password", /looks like a credential/],
      ["grafana.extraValues.global", /images\.registry and images\.pullSecrets/],
    ];
    for (const [path, message] of expected) {
      const line = error.message.split("\n").find((l) => l.includes(`- ${path}:`));
      assert.ok(line, `${path} is named in:\n${error.message}`);
      assert.match(line!, message);
    }
    assert.doesNotMatch(error.message, /hunter2|s3cret/, "no value of a refused key is echoed");
  });
});

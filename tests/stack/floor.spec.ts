// Production's safety floor: NetworkPolicies, restricted Pod Security, Redis auth and trusted TLS
// on the Ingress stay on unless the stack names each one turned off, with its reason, under
// weakenedProduction; such a stack warns on every preview and update, and the policy pack flags it.
import * as assert from "assert";
import * as rules from "../../policy/policies";
import { runProgram, RunOptions } from "../../testbed/harness/program";
import { configProblems, loadConfig } from "../../testbed/helpers/config";
import { checkPack } from "../../testbed/helpers/policyArgs";
import { REAL_IMAGES } from "../../testbed/harness/variants";

/** An Ingress for ingress-nginx, whose annotations the policy pack reads plain HTTP from. */
const NGINX_INGRESS = { "ingress.via": "ingress", "ingress.controller": "nginx" };

/** Each floor item turned off, the key the refusal names, and its acknowledgement. */
const WEAKENINGS: [string, Record<string, unknown>, string, string][] = [
  ["NetworkPolicies off", { "networkPolicy.enabled": false }, "networkPolicy.enabled", "networkPolicies"],
  ["Pod Security baseline", { "namespace.podSecurity.enforce": "baseline" }, "namespace.podSecurity.enforce", "podSecurity"],
  ["Redis auth off", { "redis.auth.enabled": false }, "redis.auth.enabled", "redisAuth"],
  [
    "an external Redis without a password",
    { "redis.enabled": false, "redis.external": { host: "cache.example.com", port: 6379 } },
    "redis.external.existingSecret",
    "redisAuth",
  ],
  ["plain HTTP on the Ingress", { ...NGINX_INGRESS, "ingress.httpsRedirect": false }, "ingress.httpsRedirect", "ingressTls"],
  ["a self-signed certificate on the Ingress", { "ingress.tls.mode": "self-signed" }, "ingress.tls.mode", "ingressTls"],
];

describe("production safety floor", () => {
  for (const [what, set, key, item] of WEAKENINGS) {
    it(`refuses ${what} in production unless weakenedProduction.${item} gives the reason; dev takes it as it is`, () => {
      const found = configProblems("production", set);
      assert.match(
        found.get(key) ?? `(nothing at ${key}; got ${[...found.keys()].join(", ")})`,
        new RegExp(`safety floor: .*pulumi config set --path 'weakenedProduction\\.${item}' '<why>'`),
      );
      assert.doesNotThrow(() => loadConfig("production", { ...set, [`weakenedProduction.${item}`]: "a reason the reviewer accepted" }));
      assert.doesNotThrow(() => loadConfig("dev", set));
    });
  }

  it("an acknowledgement of an item that is on is refused: it would cover a later change unseen", () => {
    const found = configProblems("production", { "weakenedProduction.redisAuth": "not needed" });
    assert.match(found.get("weakenedProduction.redisAuth") ?? "", /this stack keeps it on; remove the acknowledgement/);
  });

  it("node-exporter (privileged Pod Security) in production needs the Pod Security acknowledgement too", () => {
    const set = { "prometheus.nodeExporter.enabled": true, "namespace.podSecurity.enforce": "privileged" };
    assert.ok(configProblems("production", set).has("namespace.podSecurity.enforce"));
    assert.doesNotThrow(() => loadConfig("production", { ...set, "weakenedProduction.podSecurity": "node metrics" }));
  });

  const WEAKENED: RunOptions = {
    set: {
      "networkPolicy.enabled": false,
      "redis.auth.enabled": false,
      ...NGINX_INGRESS,
      "ingress.httpsRedirect": false,
      "weakenedProduction.networkPolicies": "the CNI enforces none",
      "weakenedProduction.redisAuth": "legacy clients",
      "weakenedProduction.ingressTls": "TLS ends at the load balancer",
    },
  };

  it("an acknowledged weakening warns on every preview and update, naming the key and the reason", async () => {
    for (const preview of [true, false]) {
      const run = await runProgram("production", {
        ...WEAKENED,
        preview,
        set: { ...WEAKENED.set, ...REAL_IMAGES },
      });
      const floor = run.warnings.filter((w) => /below its safety floor/.test(w));
      assert.strictEqual(floor.length, 3, floor.join("\n"));
      assert.ok(floor.some((w) => /networkPolicy\.enabled.*"the CNI enforces none"/.test(w)));
      assert.ok(floor.some((w) => w.includes("ingress.httpsRedirect")));
    }
    assert.deepStrictEqual(
      (await runProgram("production")).warnings.filter((w) => /safety floor/.test(w)),
      [],
      "a stack on the floor does not warn",
    );
  });

  it("the policy pack flags each acknowledged weakening (advisory), and nothing on a stack on the floor", async () => {
    const production = { "production-safety-floor": { production: true } };
    const weakened = await checkPack(rules, await runProgram("production", WEAKENED), production);
    const floor = weakened.filter((v) => v.policy === "production-safety-floor").map((v) => v.message);
    assert.ok(
      floor.some((m) => /no NetworkPolicy/.test(m)),
      floor.join("\n"),
    );
    assert.ok(
      floor.some((m) => /Redis runs without a password/.test(m)),
      floor.join("\n"),
    );
    assert.ok(
      floor.some((m) => /plain HTTP/.test(m)),
      floor.join("\n"),
    );
    assert.strictEqual(rules.productionSafetyFloor.enforcementLevel, "advisory");
    const onFloor = await checkPack(rules, await runProgram("production"), production);
    assert.deepStrictEqual(
      onFloor.filter((v) => v.policy === "production-safety-floor"),
      [],
    );
  });
});

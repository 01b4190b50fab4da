// The policy pack (policy/): each rule on good and bad resources, then the whole pack over the
// resources the real program registers for the dev and production stacks.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as rules from "../../policy/policies";
import { checkPack, checkResource, checkStack, FakeResource, urnOf } from "../../testbed/helpers/policyArgs";
import { runProgram } from "../../testbed/harness/program";
import { T } from "../../testbed/harness/types";

const goodContainer = (over: Record<string, any> = {}) => ({
  name: "api",
  image: "ghcr.io/yourorg/ape-2026/api:1.0.0",
  securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  ...over,
});
const deployment = (container: Record<string, any>, podSecurityContext?: Record<string, any>): FakeResource => ({
  type: T.Deployment,
  name: "api",
  props: { spec: { template: { spec: { securityContext: podSecurityContext, containers: [container] } } } },
});
const release = (values: Record<string, any>, over: Record<string, any> = {}): FakeResource => ({
  type: T.Release,
  name: "postgresql",
  props: { chart: "oci://registry-1.docker.io/bitnamicharts/postgresql", version: "16.7.27", name: "postgresql", values, ...over },
});

describe("policy pack rules", () => {
  describe("containers-non-root", () => {
    const check = (r: FakeResource) => checkResource(rules.containersNonRoot, r);
    it("passes a container with runAsNonRoot and no privilege escalation", async () => {
      assert.deepEqual(await check(deployment(goodContainer())), []);
    });
    it("accepts runAsNonRoot from the pod security context", async () => {
      const c = goodContainer({ securityContext: { allowPrivilegeEscalation: false } });
      assert.deepEqual(await check(deployment(c, { runAsNonRoot: true, runAsUser: 1000 })), []);
    });
    it("refuses a container without securityContext, naming both missing settings", async () => {
      const msgs = await check(deployment(goodContainer({ securityContext: undefined })));
      assert.equal(msgs.length, 2);
      assert.match(msgs[0], /containers\[0\] \(api\).*runAsNonRoot/);
      assert.match(msgs[1], /allowPrivilegeEscalation: false/);
    });
    it("refuses root (runAsUser 0) and privileged containers, init containers included", async () => {
      const bad: FakeResource = {
        type: T.StatefulSet,
        props: {
          spec: {
            template: {
              spec: {
                initContainers: [{ name: "chown", securityContext: { runAsUser: 0, allowPrivilegeEscalation: false } }],
                containers: [goodContainer({ securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: true } })],
              },
            },
          },
        },
      };
      const msgs = await check(bad);
      assert.ok(
        msgs.some((m) => /initContainers\[0\] \(chown\): runs as user 0/.test(m)),
        msgs.join("\n"),
      );
      assert.ok(
        msgs.some((m) => /containers\[0\] \(api\): must not be privileged/.test(m)),
        msgs.join("\n"),
      );
    });
    it("checks CronJob and bare Pod templates too, and ignores other types", async () => {
      const cron: FakeResource = {
        type: T.CronJob,
        props: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "backup" }] } } } } } },
      };
      assert.equal((await check(cron)).length, 2);
      assert.equal((await check({ type: T.Pod, props: { spec: { containers: [{ name: "p" }] } } })).length, 2);
      assert.deepEqual(await check({ type: T.Service, props: { spec: {} } }), []);
    });
  });

  describe("containers-resources", () => {
    const check = (r: FakeResource) => checkResource(rules.containersResources, r);
    it("passes requests and limits for cpu and memory", async () => {
      assert.deepEqual(await check(deployment(goodContainer())), []);
    });
    it("names each missing request and limit", async () => {
      const msgs = await check(deployment(goodContainer({ resources: { requests: { cpu: "100m" } } })));
      assert.deepEqual(msgs, ["containers[0] (api): set resources requests.memory, limits.cpu, limits.memory"]);
    });
  });

  describe("images-pinned-in-production", () => {
    const check = (r: FakeResource, stack: string, config?: Record<string, any>) =>
      checkResource(rules.imagesPinnedInProduction, r, { stack, config });
    it("refuses latest, untagged and empty tags in production", async () => {
      for (const image of ["nginx:latest", "ghcr.io/yourorg/ape-2026/api", "registry:5000/api:LATEST"]) {
        const msgs = await check(deployment(goodContainer({ image })), "production");
        assert.equal(msgs.length, 1, image);
        assert.match(msgs[0], /pin a version or digest in production/);
      }
    });
    it("accepts a version tag, a digest and a registry port in production", async () => {
      for (const image of ["ghcr.io/yourorg/ape-2026/api:1.0.0", `api@sha256:${"a".repeat(64)}`, "registry:5000/api:2.1"]) {
        assert.deepEqual(await check(deployment(goodContainer({ image })), "production"), [], image);
      }
    });
    it("does not apply to development stacks, unless the pack config says production", async () => {
      const latest = deployment(goodContainer({ image: "nginx:latest" }));
      assert.deepEqual(await check(latest, "dev"), []);
      assert.equal((await check(latest, "dev", { production: true })).length, 1);
      assert.deepEqual(await check(latest, "prod-eu", { production: false }), []);
      assert.equal((await check(latest, "prod-eu")).length, 1, "prod* stacks are production by default");
    });
    it("refuses a chart value image tag of latest in production", async () => {
      const msgs = await check(release({ image: { repository: "bitnamilegacy/postgresql", tag: "latest" } }), "production");
      assert.deepEqual(msgs, ['chart value image.tag is "latest"; pin a version']);
    });
  });

  describe("ingress-tls", () => {
    const ingress = (spec: Record<string, any>): FakeResource => ({ type: T.Ingress, props: { spec } });
    const rule = { host: "api.example.com", http: { paths: [] } };
    it("passes when every host is covered by a TLS entry with a secret", async () => {
      assert.deepEqual(
        await checkResource(rules.ingressTls, ingress({ rules: [rule], tls: [{ hosts: ["api.example.com"], secretName: "api-tls" }] })),
        [],
      );
    });
    it("refuses an Ingress without TLS", async () => {
      assert.match((await checkResource(rules.ingressTls, ingress({ rules: [rule] })))[0], /no spec.tls/);
    });
    it("refuses a host missing from the TLS hosts", async () => {
      const msgs = await checkResource(
        rules.ingressTls,
        ingress({ rules: [rule, { host: "admin.example.com" }], tls: [{ hosts: ["api.example.com"], secretName: "t" }] }),
      );
      assert.deepEqual(msgs, ["host admin.example.com is not listed in any spec.tls[].hosts"]);
    });
  });

  describe("configmap-no-secrets", () => {
    const cm = (data: Record<string, string>): FakeResource => ({ type: T.ConfigMap, props: { data } });
    const check = (data: Record<string, string>) => checkResource(rules.configMapNoSecrets, cm(data));
    it("passes ordinary settings, empty secret-named keys and references to secrets", async () => {
      assert.deepEqual(
        await check({
          LOG_LEVEL: "info",
          DATABASE_HOST: "postgresql",
          DATABASE_PASSWORD: "",
          DATABASE_PASSWORD_FILE: "/secrets/password",
          JWT_SECRET_NAME: "api-secrets",
          REDIS_URL: "redis://redis-master:6379/0",
        }),
        [],
      );
    });
    it("refuses secret-named keys with values, without echoing the value", async () => {
      for (const key of ["DATABASE_PASSWORD", "api_key", "GITHUB_TOKEN", "client-secret"]) {
        const msgs = await check({ [key]: "hunter2-value" });
        assert.equal(msgs.length, 1, key);
        assert.ok(!msgs[0].includes("hunter2"), "message must not contain the value");
      }
    });
    it("refuses values that look like keys, tokens or URLs with credentials", async () => {
      const values = [
        "postgres://ape:s3cret@postgresql:5432/ape_timeseries",
        "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----",
        "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
        "AKIAABCDEFGHIJKLMNOP",
        "https://hooks.slack.com/services/T000/B000/XXXX",
      ];
      for (const value of values) assert.equal((await check({ SETTING: value })).length, 1, value);
    });
  });

  describe("chart-versions-pinned", () => {
    const check = (version: string | undefined) => checkResource(rules.chartVersionsPinned, release({}, { version }));
    it("passes exact versions", async () => {
      for (const v of ["16.7.27", "1.2.3-rc.1"]) assert.deepEqual(await check(v), [], v);
    });
    it("refuses ranges, partial versions and empty versions", async () => {
      for (const v of ["^16.7.0", "~16.7", "16.x", "16", ">=16.0.0", "", undefined]) assert.equal((await check(v)).length, 1, String(v));
    });
  });

  describe("no-exposed-services", () => {
    const svc = (type?: string): FakeResource => ({ type: T.Service, props: { spec: { type, ports: [{ port: 80 }] } } });
    const check = (r: FakeResource, config?: Record<string, any>) => checkResource(rules.noExposedServices, r, { config });
    it("passes ClusterIP and default Services", async () => {
      assert.deepEqual(await check(svc("ClusterIP")), []);
      assert.deepEqual(await check(svc()), []);
    });
    it("refuses LoadBalancer and NodePort by default", async () => {
      assert.match((await check(svc("LoadBalancer")))[0], /LoadBalancer/);
      assert.match((await check(svc("NodePort")))[0], /NodePort/);
    });
    it("allows each type only when the pack config allows it", async () => {
      assert.deepEqual(await check(svc("LoadBalancer"), { allowLoadBalancer: true }), []);
      assert.equal((await check(svc("NodePort"), { allowLoadBalancer: true })).length, 1);
      assert.deepEqual(await check(svc("NodePort"), { allowNodePort: true }), []);
    });
    it("finds exposed Service types in chart values", async () => {
      const msgs = await check(release({ server: { service: { type: "NodePort" } }, service: { type: "ClusterIP" } }));
      assert.deepEqual(msgs, ["chart value server.service.type is NodePort; use ClusterIP (or allow it in the pack config)"]);
    });
  });

  describe("rbac-no-cluster-secret-read", () => {
    const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";
    const clusterRole = (rules: Record<string, any>[]): FakeResource => ({ type: `${RBAC}:ClusterRole`, props: { rules } });
    const check = (r: FakeResource) => checkResource(rules.rbacNoClusterSecretRead, r);
    it("passes a ClusterRole that reads other things, and a namespaced Role that reads Secrets", async () => {
      assert.deepEqual(
        await check(clusterRole([{ apiGroups: [""], resources: ["pods", "configmaps"], verbs: ["get", "list", "watch"] }])),
        [],
      );
      assert.deepEqual(await check(clusterRole([{ apiGroups: [""], resources: ["secrets"], verbs: ["create"] }])), []);
      const role: FakeResource = { type: `${RBAC}:Role`, props: { rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] } };
      assert.deepEqual(await check(role), []);
    });
    it("refuses a ClusterRole that reads Secrets, by name or wildcard, naming the rule", async () => {
      assert.deepEqual(
        await check(
          clusterRole([
            { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
            { apiGroups: [""], resources: ["secrets"], verbs: ["get", "update"] },
          ]),
        ),
        [
          "rules[1]: get on secrets: reads Secrets in every namespace; grant it in a namespaced Role, on the Secrets it needs (resourceNames)",
        ],
      );
      assert.match((await check(clusterRole([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }])))[0], /^rules\[0\]: \* on \*/);
    });
    it("refuses bindings to cluster-admin", async () => {
      const roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" };
      assert.equal((await check({ type: `${RBAC}:ClusterRoleBinding`, props: { roleRef } })).length, 1);
      assert.equal((await check({ type: `${RBAC}:RoleBinding`, props: { roleRef } })).length, 1);
      assert.deepEqual(await check({ type: `${RBAC}:RoleBinding`, props: { roleRef: { ...roleRef, kind: "Role", name: "reader" } } }), []);
    });
  });

  describe("stateful-protected-in-production", () => {
    const stack = "production";
    const credentials = urnOf(stack, T.Credentials, "postgresql-auth");
    const pw = {
      type: T.RandomPassword,
      name: "pg-password",
      props: { length: 32 },
      urn: urnOf(stack, T.RandomPassword, "pg-password"),
      parent: credentials,
    };
    const stateful = (protect: boolean): FakeResource[] =>
      [
        { type: T.Namespace, name: "namespace", props: {}, protect },
        { type: T.PersistentVolumeClaim, name: "api-data", props: {}, protect },
        release({}, {}),
        { ...release({}), name: "redis", props: { chart: "oci://registry-1.docker.io/bitnamicharts/redis", version: "22.0.7" } },
        { ...release({}), name: "grafana", props: { chart: "oci://ghcr.io/grafana-community/helm-charts/grafana", version: "12.11.1" } },
        pw,
        {
          type: T.Secret,
          name: "postgresql-auth",
          props: { stringData: { password: "p" } },
          dependencies: [pw.urn],
          parent: credentials,
        },
      ].map((r) => ({ ...r, protect }));
    it("passes when every stateful resource is protected", async () => {
      assert.deepEqual(await checkStack(rules.statefulProtectedInProduction, stateful(true), { stack }), []);
    });
    it("reports each unprotected stateful resource by URN in production", async () => {
      const found = await checkStack(rules.statefulProtectedInProduction, stateful(false), { stack });
      assert.deepEqual(
        found.map((v) => v.urn?.split("::").pop()),
        ["namespace", "api-data", "postgresql", "redis", "grafana", "pg-password", "postgresql-auth"],
      );
      assert.match(found[0].message, /must be protected in production/);
    });
    it("ignores stateless resources and non-data charts", async () => {
      const others: FakeResource[] = [
        { type: T.Deployment, name: "api", props: {} },
        {
          type: T.Secret,
          name: "api-tls",
          props: { type: "kubernetes.io/tls", stringData: { "tls.crt": "c", "tls.key": "k" } },
        },
        { ...release({}), name: "ingress", props: { chart: "ingress-nginx", version: "4.11.0" } },
        // The API's env Secret copies a password: rebuilt from the RandomPassword, not protected.
        {
          type: T.Secret,
          name: "api-secrets",
          props: { stringData: { DATABASE_PASSWORD: "p" } },
          dependencies: [pw.urn],
          parent: urnOf(stack, T.Api, "api"),
        },
        { ...pw, protect: true },
      ];
      assert.deepEqual(await checkStack(rules.statefulProtectedInProduction, others, { stack }), []);
    });
    it("does not apply to dev, unless the pack config says production", async () => {
      assert.deepEqual(await checkStack(rules.statefulProtectedInProduction, stateful(false), { stack: "dev" }), []);
      assert.equal(
        (await checkStack(rules.statefulProtectedInProduction, stateful(false), { stack: "dev", config: { production: true } })).length,
        7,
      );
    });
  });

  describe("the pack", () => {
    it("has every rule mandatory but the advisory ones, with unique names, and policy/production.json names real policies", () => {
      const names = rules.policies.map((p) => p.name);
      assert.equal(new Set(names).size, names.length);
      const advisory = new Set(["alertmanager-receivers-in-production", "production-safety-floor"]);
      for (const p of rules.policies) assert.equal(p.enforcementLevel, advisory.has(p.name) ? "advisory" : "mandatory", p.name);
      const prodConfig = JSON.parse(fs.readFileSync(path.join(__dirname, "../../policy/production.json"), "utf8"));
      for (const key of Object.keys(prodConfig)) assert.ok(names.includes(key), `${key} is not a policy`);
      assert.deepEqual(
        Object.values(prodConfig),
        Object.keys(prodConfig).map(() => ({ production: true })),
      );
    });
    it("depends on the root project's exact @pulumi versions", () => {
      const root = JSON.parse(fs.readFileSync(path.join(__dirname, "../../package.json"), "utf8"));
      const pack = JSON.parse(fs.readFileSync(path.join(__dirname, "../../policy/package.json"), "utf8"));
      const rootVersions = { ...root.dependencies, ...root.devDependencies };
      for (const [name, version] of Object.entries(pack.dependencies)) assert.equal(version, rootVersions[name], name);
    });
  });
});

describe("policy pack over the real stacks", () => {
  for (const stack of ["dev", "production"]) {
    // The production stack file is a template without Alertmanager receivers (their URLs and keys
    // are secrets of the real stack): the advisory rule reports exactly that, nothing else.
    const expected = stack === "production" ? ["alertmanager-receivers-in-production"] : [];
    it(`${stack}: no violations${expected.length ? ` but the advisory ${expected.join(", ")}` : ""}`, async () => {
      const run = await runProgram(stack);
      const config =
        stack === "production" ? JSON.parse(fs.readFileSync(path.join(__dirname, "../../policy/production.json"), "utf8")) : {};
      const violations = await checkPack(rules, run, config);
      assert.deepEqual(
        violations.map((v) => v.policy),
        expected,
        violations.map((v) => `${v.policy} ${v.resource}: ${v.message}`).join("\n"),
      );
    });
  }
  it("would catch unprotected data in production: the Namespace, releases, credential Secrets and passwords", async () => {
    // environment: development drops protect; the pack is told the stack is production.
    const run = await runProgram("production", { set: { environment: "development" } });
    const violations = await checkPack(rules, run, { "stateful-protected-in-production": { production: true } });
    const flagged = new Set(
      violations.filter((v) => v.policy === "stateful-protected-in-production").map((v) => v.resource.split("::")[2].split("$").pop()),
    );
    for (const type of [T.Namespace, T.Release, T.Secret, T.RandomPassword])
      assert.ok(flagged.has(type), `${type} not flagged; flagged: ${[...flagged].join(", ")}`);
  });
});

// `npm run verify` (scripts/verify.ts): the checks of a deployed stack, evaluated on a hand-made
// kubectl snapshot (tests/project/verify/cluster.json: a dev namespace where the API runs and the
// data services do not) and the stack outputs beside it; the entry point against a local HTTPS
// server with a CA made for the test.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { evaluate, parseArgs } from "../../scripts/verify";
import {
  Check,
  hpaCheck,
  K8s,
  logRequests,
  pdbCheck,
  podCheck,
  pvcCheck,
  recentEvents,
  serviceCheck,
  workloadCheck,
} from "../../scripts/verify/checks";
import { clusterName, connectionChecks, connectionTargets, externalHosts, StackOutputs } from "../../scripts/verify/connections";
import { entryPointCheck, probeEntryPoint, TlsProbe } from "../../scripts/verify/entry-point";
import { formatReport, makeReport } from "../../scripts/verify/report";

const NS = "ape-2026";
const NOW = new Date("2026-05-04T10:05:00Z");
const fixture = (file: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "verify", file), "utf8"));
const OBJECTS: K8s[] = fixture("cluster.json").items;
const OUTPUTS: StackOutputs = fixture("outputs.json");
const find = (kind: string, name: string): K8s => {
  const o = OBJECTS.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name} in the fixture`);
  return structuredClone(o);
};
const NEO4J_ADDRESS = { "graph.example.com": ["203.0.113.7"] };
const GOOD_PROBE: TlsProbe = {
  url: "https://api.ape-2026.localhost",
  address: "api.ape-2026.localhost:443",
  trust: "the stack's CA (caCertificate output)",
  status: 200,
  authorized: true,
  certificate: {
    subject: "CN=api.ape-2026.localhost",
    subjectAltNames: ["DNS:api.ape-2026.localhost"],
    issuer: "CN=ape-2026 dev CA",
    validFrom: "2026-05-01T00:00:00.000Z",
    validTo: "2026-08-01T00:00:00.000Z",
    fingerprint256: "AB:CD",
  },
};
const snapshotOf = (objects: K8s[]) => ({ objects, namespaceLabels: {}, notes: [] });
const byObject = (checks: Check[], object: string) => {
  const c = checks.find((x) => x.object === object);
  assert.ok(c, `a check of ${object} in ${checks.map((x) => x.object).join(", ")}`);
  return c;
};

describe("verify", () => {
  describe("pods", () => {
    it("a Running and Ready pod passes, with its restarts counted and the last one's cause", () => {
      const c = podCheck(find("Pod", "api-6d4f9c7b8-abcde"));
      assert.strictEqual(c.status, "ok");
      assert.strictEqual(c.facts?.restarts, 1);
      assert.match(c.summary, /^Running, Ready, 1 restart \(last: api OOMKilled exit 137/);
    });
    it("a pod stuck at ErrImagePull fails with the image and the pull error", () => {
      const c = podCheck(find("Pod", "redis-master-0"));
      assert.strictEqual(c.status, "fail");
      assert.match(c.summary, /^Pending, not Ready: redis: ErrImagePull \(failed to pull .*registry\.e2e\.invalid.*no such host\)/);
    });
    it("a crash-looping pod fails with CrashLoopBackOff and its restarts", () => {
      const c = podCheck(find("Pod", "postgresql-0"));
      assert.strictEqual(c.status, "fail");
      assert.match(c.summary, /CrashLoopBackOff.*4 restarts \(last: postgresql Error exit 1/);
    });
    it("an unschedulable pod fails with the scheduler's message", () => {
      const c = podCheck(find("Pod", "grafana-5b7c-xyz12"));
      assert.strictEqual(c.status, "fail");
      assert.match(c.summary, /not scheduled: Unschedulable \(0\/1 nodes are available: 1 Insufficient memory\.\)/);
    });
    it("a running container that is not ready fails, saying so", () => {
      const pod = find("Pod", "api-6d4f9c7b8-fghij");
      pod.status.conditions[1] = { type: "Ready", status: "False", message: "containers with unready status: [api]" };
      pod.status.containerStatuses[0].ready = false;
      assert.match(podCheck(pod).summary, /Running, not Ready: api: running, not ready/);
    });
    it("a finished Job's pod passes; a terminating pod only warns", () => {
      assert.strictEqual(podCheck(find("Pod", "postgresql-backup-29100000-k2x7p")).status, "ok");
      const leaving = find("Pod", "api-6d4f9c7b8-fghij");
      leaving.metadata.deletionTimestamp = "2026-05-04T10:04:59Z";
      assert.strictEqual(podCheck(leaving).status, "warn");
    });
    it("the logs to read: the crashed run of a crash-looping container, the current one of a waiting one, none unscheduled", () => {
      assert.deepStrictEqual(logRequests(find("Pod", "postgresql-0")), [{ pod: "postgresql-0", container: "postgresql", previous: true }]);
      assert.deepStrictEqual(logRequests(find("Pod", "redis-master-0")), [{ pod: "redis-master-0", container: "redis", previous: false }]);
      assert.deepStrictEqual(logRequests(find("Pod", "grafana-5b7c-xyz12")), [], "never scheduled: no container has run");
    });
  });

  describe("workloads, Services, HPA, PDB, PVCs", () => {
    it("workloads pass at their replica count and fail below it or when the controller reports a failure", () => {
      assert.deepStrictEqual(
        [workloadCheck(find("Deployment", "api")), workloadCheck(find("StatefulSet", "redis-master"))].map((c) => [c.status, c.summary]),
        [
          ["ok", "2/2 ready"],
          ["fail", "0/1 ready"],
        ],
      );
      const forbidden = find("Deployment", "grafana");
      forbidden.status.conditions.push({
        type: "ReplicaFailure",
        status: "True",
        reason: "FailedCreate",
        message: 'pods "grafana-5b7c-" is forbidden: violates PodSecurity "restricted:latest"',
      });
      assert.match(workloadCheck(forbidden).summary, /^FailedCreate: pods "grafana-5b7c-" is forbidden: violates PodSecurity/);
    });
    it("a Service passes with ready endpoints and fails without, naming the pods it selects", () => {
      const api = serviceCheck(find("Service", "api"), OBJECTS);
      assert.deepStrictEqual([api.status, api.summary], ["ok", "2/2 endpoints ready"]);
      const redis = serviceCheck(find("Service", "redis-master"), OBJECTS);
      assert.deepStrictEqual([redis.status, redis.summary], ["fail", "no ready endpoint (1 pod selected, none Ready: redis-master-0)"]);
      const orphan = find("Service", "postgresql");
      orphan.spec.selector = { "app.kubernetes.io/name": "nothing" };
      assert.match(serviceCheck(orphan, OBJECTS).summary, /its selector matches no pod/);
      const external = { ...orphan, spec: { type: "ExternalName", externalName: "db.example.com" } };
      assert.strictEqual(serviceCheck(external, OBJECTS).status, "skip");
    });
    it("the HPA passes ScalingActive with a current metric against its target", () => {
      const c = hpaCheck(find("HorizontalPodAutoscaler", "api"));
      assert.deepStrictEqual([c.status, c.summary], ["ok", "ScalingActive, 2 replicas (2..6); cpu 12% (target 70%)"]);
    });
    it("the HPA fails without metrics, with the controller's reason, and before its first evaluation", () => {
      const hpa = find("HorizontalPodAutoscaler", "api");
      hpa.status.currentMetrics = [{ type: "Resource", resource: { name: "cpu", current: {} } }];
      hpa.status.conditions[1] = {
        type: "ScalingActive",
        status: "False",
        reason: "FailedGetResourceMetric",
        message: "the HPA was unable to compute the replica count: no metrics returned from resource metrics API",
      };
      assert.deepStrictEqual(
        [hpaCheck(hpa).status, hpaCheck(hpa).summary],
        [
          "fail",
          "ScalingActive False: FailedGetResourceMetric (the HPA was unable to compute the replica count: no metrics returned from resource metrics API)",
        ],
      );
      hpa.status.conditions[1].status = "True";
      assert.match(hpaCheck(hpa).summary, /ScalingActive, but 0 of 1 metrics have a current value/);
      hpa.status.conditions = [];
      assert.match(hpaCheck(hpa).summary, /no ScalingActive condition yet/);
    });
    it("the PDB reports its allowed disruptions: none warns (a drain would wait), below the budget fails", () => {
      const pdb = find("PodDisruptionBudget", "api");
      assert.deepStrictEqual(
        [pdbCheck(pdb).status, pdbCheck(pdb).summary],
        ["ok", "1 disruption allowed (2 healthy, 1 required, 2 expected)"],
      );
      pdb.status = { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 };
      assert.strictEqual(pdbCheck(pdb).status, "warn");
      pdb.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1, expectedPods: 2 };
      assert.match(pdbCheck(pdb).summary, /^below its budget/);
      assert.strictEqual(pdbCheck(pdb).status, "fail");
    });
    it("PVCs pass Bound and fail otherwise", () => {
      assert.deepStrictEqual(
        [pvcCheck(find("PersistentVolumeClaim", "api-data")), pvcCheck(find("PersistentVolumeClaim", "redis-data-redis-master-0"))].map(
          (c) => [c.status, c.summary],
        ),
        [
          ["ok", "Bound to pvc-1a2b, 64Mi, ReadWriteMany, class local-path-shared"],
          ["fail", "Pending (class fast-ssd)"],
        ],
      );
    });
    it("a Pending claim on a class that binds on first use passes while no pod uses it (the backup CronJob's), fails once one waits for it", () => {
      const claim = {
        kind: "PersistentVolumeClaim",
        metadata: { name: "postgresql-backups", namespace: NS },
        spec: { storageClassName: "local-path" },
        status: { phase: "Pending" },
      };
      const event = (reason: string) => ({
        kind: "Event",
        metadata: { name: `e-${reason}`, namespace: NS },
        involvedObject: { kind: "PersistentVolumeClaim", name: "postgresql-backups" },
        reason,
        message: "waiting for first consumer to be created before binding",
        type: "Normal",
      });
      const user = {
        kind: "Pod",
        metadata: { name: "backup-1", namespace: NS },
        spec: { volumes: [{ name: "backups", persistentVolumeClaim: { claimName: "postgresql-backups" } }] },
      };
      const idle = pvcCheck(claim, [claim, event("WaitForFirstConsumer")]);
      assert.deepStrictEqual(
        [idle.status, idle.summary],
        ["ok", "not bound yet, by design: class local-path binds on first use, and no pod uses it now"],
      );
      assert.strictEqual(pvcCheck(claim, [claim, event("WaitForFirstConsumer"), user]).status, "fail");
      assert.strictEqual(pvcCheck(claim, [claim, event("ProvisioningFailed")]).status, "fail");
      assert.strictEqual(pvcCheck(claim, [claim]).status, "fail");
      // The latest event counts, whatever order the API server lists them in.
      const at = (e: ReturnType<typeof event>, t: string) => ({ ...e, lastTimestamp: t });
      const failedThenWaiting = [
        claim,
        at(event("WaitForFirstConsumer"), "2026-12-07T04:02:00Z"),
        at(event("ProvisioningFailed"), "2026-12-07T04:01:00Z"),
      ];
      assert.strictEqual(pvcCheck(claim, failedThenWaiting).status, "ok");
      const waitingThenFailed = [
        claim,
        at(event("ProvisioningFailed"), "2026-12-07T04:03:00Z"),
        at(event("WaitForFirstConsumer"), "2026-12-07T04:02:00Z"),
      ];
      assert.strictEqual(pvcCheck(claim, waitingThenFailed).status, "fail");
    });
    it("a failing object's recent events, oldest first; a Deployment's include its ReplicaSets'", () => {
      const pod = recentEvents(OBJECTS, { section: "pods", object: "pod/redis-master-0", status: "fail", summary: "" }, NS);
      assert.deepStrictEqual(
        pod.map((e) => [e.reason, e.count]),
        [
          ["Scheduled", 1],
          ["Pulling", 3],
          ["Failed", 3],
        ],
      );
      const deployment = recentEvents(OBJECTS, { section: "workloads", object: "deployment/grafana", status: "fail", summary: "" }, NS);
      assert.deepStrictEqual(
        deployment.map((e) => `${e.object} ${e.reason}`),
        ["replicaset/grafana-5b7c SuccessfulCreate"],
      );
    });
  });

  describe("connections allowed by the live NetworkPolicies", () => {
    const checks = connectionChecks(OUTPUTS, OBJECTS, NS, {}, NEO4J_ADDRESS);
    it("are the outputs' data services and the cluster DNS, each from the API pods", () => {
      assert.deepStrictEqual(
        checks.map((c) => c.object),
        [
          "PostgreSQL postgresql.ape-2026.svc.cluster.local:5432",
          "Redis redis-master.ape-2026.svc.cluster.local:6379",
          "Neo4j graph.example.com:7687",
          "DNS kube-dns.kube-system.svc:53/UDP",
          "DNS kube-dns.kube-system.svc:53",
        ],
      );
    });
    it("Redis through its Service to the pod's named port: allowed by the API's egress and Redis's ingress", () => {
      const c = byObject(checks, "Redis redis-master.ape-2026.svc.cluster.local:6379");
      assert.deepStrictEqual([c.status, c.summary], ["ok", "allowed by api, redis; service/redis-master -> pod/redis-master-0:6379"]);
    });
    it("PostgreSQL refused: the pod's ingress admits only the metrics scraper, and the check names the policies", () => {
      const c = byObject(checks, "PostgreSQL postgresql.ape-2026.svc.cluster.local:5432");
      assert.strictEqual(c.status, "fail");
      assert.strictEqual(
        c.summary,
        "pod/postgresql-0:5432 ingress from pod/api-6d4f9c7b8-abcde refused (selected by default-deny, postgresql; none allows it)",
      );
    });
    it("an external host by its address against the API's ipBlock egress: allowed inside it, refused outside, a warning when unresolved", () => {
      assert.strictEqual(byObject(checks, "Neo4j graph.example.com:7687").status, "ok");
      const outside = connectionChecks(OUTPUTS, OBJECTS, NS, {}, { "graph.example.com": ["198.51.100.1"] });
      assert.strictEqual(byObject(outside, "Neo4j graph.example.com:7687").status, "fail");
      assert.match(
        byObject(outside, "Neo4j graph.example.com:7687").summary,
        /egress to graph\.example\.com:7687 refused \(selected by api, default-deny; none allows it\)/,
      );
      const unresolved = connectionChecks(OUTPUTS, OBJECTS, NS, {}, {});
      assert.strictEqual(byObject(unresolved, "Neo4j graph.example.com:7687").status, "warn");
      assert.deepStrictEqual(externalHosts(OUTPUTS, OBJECTS, NS), ["graph.example.com"]);
    });
    it("the cluster DNS in kube-system over UDP and TCP", () => {
      assert.deepStrictEqual(
        checks.filter((c) => c.object.startsWith("DNS")).map((c) => c.status),
        ["ok", "ok"],
      );
    });
    it("with Sentinel: every sentinel and the Redis port of every node, each a pod by its hostname under the headless Service", () => {
      const node = (i: number) => {
        const p = find("Pod", "redis-master-0");
        p.metadata.name = p.spec.hostname = `redis-node-${i}`;
        p.metadata.labels = {
          "app.kubernetes.io/name": "redis",
          "app.kubernetes.io/instance": "redis",
          "app.kubernetes.io/component": "node",
        };
        p.spec.containers[0].ports.push({ name: "redis-sentinel", containerPort: 26379, protocol: "TCP" });
        return p;
      };
      const headless = { ...find("Service", "redis-master"), metadata: { name: "redis-headless", namespace: NS } };
      const host = (i: number) => `redis-node-${i}.redis-headless.ape-2026.svc.cluster.local`;
      const outputs: StackOutputs = {
        ...OUTPUTS,
        redis: {
          mode: "sentinel",
          host: "redis.ape-2026.svc.cluster.local",
          port: 6379,
          sentinel: { hosts: [host(0), host(1)], port: 26379, masterSet: "mymaster" },
        },
      };
      assert.deepStrictEqual(
        connectionTargets(outputs)
          .filter((t) => t.service.startsWith("Redis"))
          .map((t) => `${t.host.split(".")[0]}:${t.port}`),
        ["redis-node-0:26379", "redis-node-1:26379", "redis-node-0:6379", "redis-node-1:6379"],
      );
      const sentinel = connectionChecks(outputs, [...OBJECTS, node(0), node(1), headless], NS, {}, NEO4J_ADDRESS).filter((c) =>
        c.object.startsWith("Redis"),
      );
      // The fixture's Redis policy admits the API on the Redis port only: the sentinels are refused.
      assert.deepStrictEqual(
        sentinel.map((c) => [c.object.replace(".redis-headless.ape-2026.svc.cluster.local", ""), c.status]),
        [
          ["Redis Sentinel (mymaster) redis-node-0:26379", "fail"],
          ["Redis Sentinel (mymaster) redis-node-1:26379", "fail"],
          ["Redis (master through Sentinel) redis-node-0:6379", "ok"],
          ["Redis (master through Sentinel) redis-node-1:6379", "ok"],
        ],
      );
      assert.match(sentinel[0].summary, /^pod\/api-6d4f9c7b8-abcde egress to pod\/redis-node-0:26379 refused/);
    });
    it("a host that names a missing Service, or no API pod, fails saying so", () => {
      const missing = connectionChecks({ ...OUTPUTS, database: { host: "pg.ape-2026.svc", port: 5432 } }, OBJECTS, NS, {}, NEO4J_ADDRESS);
      assert.strictEqual(
        byObject(missing, "PostgreSQL pg.ape-2026.svc:5432").summary,
        "cannot be reached: no Service pg in namespace ape-2026",
      );
      const noApi = connectionChecks(
        OUTPUTS,
        OBJECTS.filter((o) => !o.metadata.name.startsWith("api-")),
        NS,
        {},
        NEO4J_ADDRESS,
      );
      assert.ok(noApi.every((c) => c.status === "fail" && /no running API pod/.test(c.summary)));
    });
    it("in-cluster names: Service, Service.namespace[.svc[.domain]], pod.Service.namespace.svc; anything else is external", () => {
      assert.deepStrictEqual(clusterName("postgresql", NS), { service: "postgresql", namespace: NS });
      assert.deepStrictEqual(clusterName("pg.data", NS), { service: "pg", namespace: "data", maybe: true });
      assert.deepStrictEqual(clusterName("pg.data.svc.cluster.local.", NS), { service: "pg", namespace: "data" });
      assert.deepStrictEqual(clusterName("pg.data.svc.corp.example", NS), { service: "pg", namespace: "data" });
      assert.deepStrictEqual(clusterName("redis-node-0.redis-headless.ape-2026.svc.cluster.local", NS), {
        hostname: "redis-node-0",
        service: "redis-headless",
        namespace: NS,
      });
      assert.strictEqual(clusterName("db.corp.example.com", NS), undefined);
    });
  });

  describe("entry point", () => {
    it("passes with the answer, trust, subject, SANs, issuer and expiry", () => {
      const c = entryPointCheck(GOOD_PROBE, NOW);
      assert.strictEqual(c.status, "ok");
      assert.strictEqual(
        c.summary,
        "HTTP 200 over TLS, trusted by the stack's CA (caCertificate output); certificate CN=api.ape-2026.localhost, " +
          "SANs DNS:api.ape-2026.localhost, issued by CN=ape-2026 dev CA, valid until 2026-08-01T00:00:00.000Z (88 days)",
      );
    });
    it("fails untrusted, for another host, expired, on a 5xx or without an answer; warns close to expiry; skips without an Ingress", () => {
      const cases: [Partial<TlsProbe>, RegExp][] = [
        [{ authorized: false, authorizationError: "SELF_SIGNED_CERT_IN_CHAIN" }, /certificate not trusted by .*SELF_SIGNED_CERT_IN_CHAIN/],
        [{ identityError: "Hostname/IP does not match certificate's altnames" }, /does not match/],
        [{ certificate: { ...GOOD_PROBE.certificate!, validTo: "2026-05-01T00:00:00.000Z" } }, /certificate expired on 2026-05-01/],
        [{ status: 503 }, /HTTP 503 \(the backend behind the entry point is not serving\)/],
        [{ error: "connect ECONNREFUSED 127.0.0.1:443" }, /^no answer from api\.ape-2026\.localhost:443: connect ECONNREFUSED/],
      ];
      for (const [change, summary] of cases) {
        const c = entryPointCheck({ ...GOOD_PROBE, ...change }, NOW);
        assert.strictEqual(c.status, "fail", JSON.stringify(change));
        assert.match(c.summary, summary);
      }
      const soon = entryPointCheck(
        { ...GOOD_PROBE, certificate: { ...GOOD_PROBE.certificate!, validTo: "2026-05-10T00:00:00.000Z" } },
        NOW,
      );
      assert.strictEqual(soon.status, "warn");
      assert.strictEqual(entryPointCheck(undefined, NOW).status, "skip");
    });

    describe("a real HTTPS GET against a local server", function () {
      this.timeout(20000);
      const openssl = spawnSync("openssl", ["version"]).status === 0;
      let dir = "";
      let server: https.Server | undefined;
      let port = 0;
      const sh = (...args: string[]) => {
        const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
      };
      before(function (done) {
        if (!openssl) {
          console.log("      openssl not found: the real TLS probe is not exercised");
          this.skip();
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-verify-tls-"));
        sh(
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          "ca.key",
          "-out",
          "ca.crt",
          "-days",
          "30",
          "-subj",
          "/CN=verify test CA",
        );
        sh(
          "req",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          "tls.key",
          "-out",
          "tls.csr",
          "-subj",
          "/CN=api.verify.test",
        );
        fs.writeFileSync(path.join(dir, "ext"), "subjectAltName=DNS:api.verify.test\n");
        sh(
          "x509",
          "-req",
          "-in",
          "tls.csr",
          "-CA",
          "ca.crt",
          "-CAkey",
          "ca.key",
          "-CAcreateserial",
          "-out",
          "tls.crt",
          "-days",
          "20",
          "-extfile",
          "ext",
        );
        const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
        server = https.createServer({ key: read("tls.key"), cert: read("tls.crt") }, (req, res) => {
          res.writeHead(req.headers.host?.startsWith("api.verify.test") ? 200 : 421, { connection: "close" });
          res.end("ok");
        });
        server.listen(0, "127.0.0.1", () => {
          port = (server!.address() as AddressInfo).port;
          done();
        });
      });
      after(() => {
        server?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
      });

      it("trusting the stack's CA, connected by address for the URL's host: passes with the certificate's fields", async () => {
        const ca = fs.readFileSync(path.join(dir, "ca.crt"), "utf8");
        const probe = await probeEntryPoint(`https://api.verify.test:${port}/`, { ca, trust: "the test CA", address: `127.0.0.1:${port}` });
        const c = entryPointCheck(probe, new Date());
        assert.strictEqual(c.status, "ok", c.summary);
        assert.strictEqual(probe.status, 200);
        assert.strictEqual(probe.certificate?.subject, "CN=api.verify.test");
        assert.deepStrictEqual(probe.certificate?.subjectAltNames, ["DNS:api.verify.test"]);
        assert.strictEqual(probe.certificate?.issuer, "CN=verify test CA");
      });
      it("describes the certificate on every probe: each is a new connection (the server closes them), never a resumed TLS session, which shows none", async () => {
        const ca = fs.readFileSync(path.join(dir, "ca.crt"), "utf8");
        const probe = () => probeEntryPoint(`https://api.verify.test:${port}/`, { ca, trust: "the test CA", address: `127.0.0.1:${port}` });
        const [first, second] = [await probe(), await probe()];
        assert.strictEqual(second.certificate?.fingerprint256, first.certificate?.fingerprint256);
        assert.ok(first.certificate?.fingerprint256);
      });
      it("fails with the system CAs only, and for a host the certificate does not cover", async () => {
        const system = await probeEntryPoint(`https://api.verify.test:${port}/`, { trust: "the system CAs", address: `127.0.0.1:${port}` });
        assert.match(entryPointCheck(system, new Date()).summary, /certificate not trusted by the system CAs/);
        const ca = fs.readFileSync(path.join(dir, "ca.crt"), "utf8");
        const other = await probeEntryPoint(`https://other.verify.test:${port}/`, {
          ca,
          trust: "the test CA",
          address: `127.0.0.1:${port}`,
        });
        assert.match(
          entryPointCheck(other, new Date()).summary,
          /Host: other\.verify\.test\. is not in the cert's altnames: DNS:api\.verify\.test/,
        );
      });
      it("fails without an answer", async () => {
        const closed = await probeEntryPoint("https://api.verify.test:1/", {
          trust: "the test CA",
          address: "127.0.0.1:1",
          timeoutMs: 2000,
        });
        assert.match(entryPointCheck(closed, new Date()).summary, /^no answer from 127\.0\.0\.1:1: connect ECONNREFUSED/);
      });
    });
  });

  describe("the whole report", () => {
    const checks = evaluate(OUTPUTS, NS, snapshotOf(OBJECTS), GOOD_PROBE, NEO4J_ADDRESS, NOW);
    const withLog = checks.map((c) =>
      c.object === "pod/redis-master-0"
        ? {
            ...c,
            logs: [
              {
                pod: "redis-master-0",
                container: "redis",
                previous: false,
                lines: [
                  'Error from server (BadRequest): container "redis" in pod "redis-master-0" is waiting to start: trying and failing to pull image',
                ],
              },
            ],
          }
        : c,
    );
    const report = makeReport("dev", NS, withLog, [], NOW);

    it("fails, naming exactly the objects that do not work", () => {
      assert.strictEqual(report.passed, false);
      assert.deepStrictEqual(
        report.checks.filter((c) => c.status === "fail").map((c) => c.object),
        [
          "pod/grafana-5b7c-xyz12",
          "pod/postgresql-0",
          "pod/redis-master-0",
          "deployment/grafana",
          "statefulset/redis-master",
          "service/postgresql",
          "service/redis-master",
          "persistentvolumeclaim/redis-data-redis-master-0",
          "PostgreSQL postgresql.ape-2026.svc.cluster.local:5432",
        ],
      );
      assert.deepStrictEqual(report.counts, { ok: 13, warn: 0, fail: 9, skip: 0 });
    });
    it("passes once only what runs is left (warnings allowed)", () => {
      const running = OBJECTS.filter(
        (o) => !/^(redis|postgresql|grafana)/.test(o.metadata.name) || o.kind === "NetworkPolicy" || o.kind === "Event",
      );
      const outputs = { ...OUTPUTS, database: undefined, redis: undefined };
      const ok = makeReport("dev", NS, evaluate(outputs, NS, snapshotOf(running), GOOD_PROBE, NEO4J_ADDRESS, NOW), [], NOW);
      assert.deepStrictEqual(
        ok.checks.filter((c) => c.status !== "ok").map((c) => `${c.object}: ${c.summary}`),
        [],
      );
      assert.strictEqual(ok.passed, true);
    });
    it("the human summary: a headline, one line per object by section, then each failing object with its events and log tail", () => {
      const text = formatReport(report, NOW);
      const lines = text.split("\n");
      assert.strictEqual(lines[0], "verify: stack dev, namespace ape-2026: FAILED (13 ok, 0 warnings, 9 failing, 0 skipped)");
      assert.ok(lines.includes("Pods: 3/6 passing, 5 restarts"), text);
      assert.ok(lines.includes("Autoscaling: 1/1 passing"), text);
      assert.match(text, /\n {2}FAIL {2}pod\/redis-master-0 +Pending, not Ready: redis: ErrImagePull/);
      const failing = text.slice(text.indexOf("Failing objects (9):"));
      assert.match(
        failing,
        /pod\/redis-master-0: Pending[^\n]*\n {2}recent events:\n +3m ago {2}Normal {2}Scheduled: Successfully assigned/,
      );
      assert.match(
        failing,
        /29s ago {2}Warning Failed \(x3\): Failed to pull image "registry\.e2e\.invalid\/bitnamilegacy\/redis:8\.2\.1"/,
      );
      assert.match(
        failing,
        /log of redis, last 1 lines:\n {4}\| Error from server \(BadRequest\): container "redis" in pod "redis-master-0" is waiting to start/,
      );
    });
    it("--json: the same report as one document", () => {
      const doc = JSON.parse(JSON.stringify(report));
      assert.deepStrictEqual(Object.keys(doc), ["stack", "namespace", "passed", "counts", "checks", "notes", "checkedAt"]);
      const pod = doc.checks.find((c: Check) => c.object === "pod/redis-master-0");
      assert.deepStrictEqual(Object.keys(pod), ["section", "object", "facts", "status", "summary", "events", "logs"]);
    });
  });

  describe("the command line", () => {
    it("takes --stack, --json, --wait in seconds or minutes and the cluster and entry point overrides", () => {
      assert.deepStrictEqual(parseArgs(["--stack", "dev", "--json", "--wait=5m", "--entry-address", "127.0.0.1:8443", "--tail", "50"]), {
        stack: "dev",
        json: true,
        waitSeconds: 300,
        cwd: undefined,
        context: undefined,
        kubeconfig: undefined,
        entryAddress: "127.0.0.1:8443",
        ca: undefined,
        tail: 50,
      });
    });
    it("refuses a missing stack, unknown options and bad values", () => {
      assert.strictEqual(parseArgs([]), "--stack is required");
      assert.strictEqual(parseArgs(["--stack", "dev", "--verbose"]), "unexpected argument --verbose");
      assert.strictEqual(parseArgs(["--stack=dev", "--wait", "soon"]), "--wait takes seconds (e.g. 300 or 5m), not soon");
      assert.strictEqual(parseArgs(["--stack"]), "--stack needs a value");
    });
  });
});

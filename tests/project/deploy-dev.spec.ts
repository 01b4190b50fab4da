// `npm run deploy:dev` from a fresh machine: the choices it makes, without a cluster, a network or a
// real Pulumi CLI: which CLI (found on PATH / in the cache / installed / the engine's / built /
// none), which cluster (a context, none, one that looks like production), what the local cluster's
// dev stack changes, what to do about missing OS packages, and the build progress and estimate.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { BuildProgress, lastBuildSeconds, targetOf } from "../../scripts/engine-build";
import { chooseCluster, KubeTarget, looksLikeProduction, readKubeTarget, stackClusterSettings } from "../../scripts/kube-context";
import { edgeControllerKnown, localPaths, localStackSettings, planPackages } from "../../scripts/local-cluster";
import { chooseCli, Cli, CliProbes, cliEnv, Probe, pulumiCliMinimum, realProbes } from "../../scripts/pulumi-cli";
import { parseDeployArgs } from "../../scripts/deploy-dev";

const ROOT = path.join(__dirname, "..", "..");
const MIN = "3.270.0";
const cli = (source: Cli["source"], version = "3.274.1"): Cli => ({
  source,
  command: `/x/${source}/pulumi`,
  version,
  offline: source === "engine",
});

/** Probes that answer as given and record which ran. */
function probes(answers: Partial<Record<"onPath" | "cached" | "install" | "engine", Probe>> & { online?: string; buildable?: string }) {
  const ran: string[] = [];
  const probe = (name: "onPath" | "cached" | "install" | "engine") => async () => {
    ran.push(name);
    return answers[name] ?? { reason: `${name}: nothing` };
  };
  const p: CliProbes = {
    onPath: probe("onPath"),
    cached: probe("cached"),
    online: async () => {
      ran.push("online");
      return answers.online;
    },
    install: probe("install"),
    engine: probe("engine"),
    engineBuildable: () => answers.buildable,
  };
  return { p, ran };
}

describe("deploy:dev: the Pulumi CLI", () => {
  it("takes a recent enough CLI on PATH and looks no further", async () => {
    const { p, ran } = probes({ onPath: { cli: cli("path") } });
    const choice = await chooseCli(MIN, p);
    assert.strictEqual(choice.kind, "found");
    assert.strictEqual(choice.kind === "found" && choice.cli.source, "path");
    assert.deepStrictEqual(ran, ["onPath"]);
  });

  it("takes the pinned version from the standard cache without going online", async () => {
    const { p, ran } = probes({ onPath: { reason: "version 3.100.0 is too old" }, cached: { cli: cli("cache", MIN) } });
    const choice = await chooseCli(MIN, p);
    assert.ok(choice.kind === "found" && choice.cli.source === "cache");
    assert.deepStrictEqual(ran, ["onPath", "cached"]);
    assert.deepStrictEqual(choice.tried, ["on PATH: version 3.100.0 is too old"]);
  });

  it("installs the pinned version with the Automation API when online", async () => {
    const { p, ran } = probes({ install: { cli: cli("installed", MIN) } });
    const choice = await chooseCli(MIN, p);
    assert.ok(choice.kind === "found" && choice.cli.source === "installed");
    assert.deepStrictEqual(ran, ["onPath", "cached", "online", "install"]);
  });

  it("offline, skips the install (saying why) and takes the engine's CLI", async () => {
    const { p, ran } = probes({ online: "get.pulumi.com cannot be reached (ENOTFOUND; offline?)", engine: { cli: cli("engine") } });
    const choice = await chooseCli(MIN, p);
    assert.ok(choice.kind === "found" && choice.cli.source === "engine" && choice.cli.offline);
    assert.deepStrictEqual(ran, ["onPath", "cached", "online", "engine"]);
    assert.match(choice.tried.join("\n"), /install 3\.270\.0 with the Automation API: get\.pulumi\.com cannot be reached/);
  });

  it("a failed install falls through to the engine's CLI", async () => {
    const { p } = probes({
      install: { reason: "Failed to download https://get.pulumi.com/install.sh: 503" },
      engine: { cli: cli("engine") },
    });
    const choice = await chooseCli(MIN, p);
    assert.ok(choice.kind === "found" && choice.cli.source === "engine");
    assert.match(choice.tried.join("\n"), /503/);
  });

  it("with nothing found, builds the engine's CLI where Go is there", async () => {
    const { p } = probes({ online: "offline" });
    assert.strictEqual((await chooseCli(MIN, p)).kind, "build");
  });

  it("with nothing found and nothing to build with, says what was tried and the three ways out", async () => {
    const { p } = probes({ online: "offline", buildable: "Go is not installed" });
    const choice = await chooseCli(MIN, p);
    assert.strictEqual(choice.kind, "none");
    const message = choice.kind === "none" ? choice.message : "";
    for (const expected of [
      /No Pulumi CLI 3\.270\.0 or later/,
      /on PATH: onPath: nothing/,
      /Go is not installed/,
      /install the Pulumi CLI 3\.270\.0 or later and put it on PATH/,
      /connect to the internet: it is then installed into .*\.pulumi\/versions\/3\.270\.0/,
      /testbed\/engine\/build\.sh pulumi providers/,
    ]) {
      assert.match(message, expected);
    }
  });

  it("checks a CLI on PATH with the SDK's own version check: too old is refused, recent enough is taken", async function () {
    this.timeout(20_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-cli-"));
    const savedPath = process.env.PATH;
    try {
      process.env.PATH = `${dir}${path.delimiter}${savedPath}`;
      fs.writeFileSync(path.join(dir, "pulumi"), "#!/bin/sh\necho v3.100.0\n", { mode: 0o755 });
      assert.deepStrictEqual(await realProbes(MIN).onPath(), { reason: "version 3.100.0 is too old" });
      fs.writeFileSync(path.join(dir, "pulumi"), "#!/bin/sh\necho v3.281.0\n", { mode: 0o755 });
      assert.deepStrictEqual(await realProbes(MIN).onPath(), {
        cli: { source: "path", command: "pulumi", version: "3.281.0", offline: false },
      });
      fs.rmSync(path.join(dir, "pulumi"));
      process.env.PATH = dir;
      assert.deepStrictEqual(await realProbes(MIN).onPath(), { reason: "not found" });
    } finally {
      process.env.PATH = savedPath;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs the engine's CLI with its plugins first on PATH and offline; any other CLI with the caller's environment", () => {
    const env = cliEnv(cli("engine"), { PATH: "/usr/bin" });
    assert.strictEqual(env.PATH, `/x/engine${path.delimiter}/usr/bin`);
    assert.strictEqual(env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, "true");
    assert.strictEqual(env.PULUMI_SKIP_UPDATE_CHECK, "true");
    assert.deepStrictEqual(cliEnv(cli("path"), { PATH: "/usr/bin" }), { PATH: "/usr/bin" });
  });

  it("the minimum is the SDK version pinned in package.json; the README, the workflows and the engine agree with it", () => {
    const min = pulumiCliMinimum();
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    assert.strictEqual(min, pkg.dependencies["@pulumi/pulumi"]);
    const [major, minor] = min.split(".");
    assert.match(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"), new RegExp(`Pulumi CLI[^\\n]*${major}\\.${minor}`));
    const workflows = path.join(ROOT, ".github", "workflows");
    for (const f of fs.readdirSync(workflows)) {
      for (const m of fs.readFileSync(path.join(workflows, f), "utf8").matchAll(/pulumi-version: (\S+)/g)) assert.strictEqual(m[1], min, f);
    }
    const engine = /^PULUMI_VERSION=v(\d+)\.(\d+)\.(\d+)/m.exec(
      fs.readFileSync(path.join(ROOT, "testbed", "engine", "versions.sh"), "utf8"),
    );
    assert.ok(engine, "versions.sh pins PULUMI_VERSION");
    const num = (v: string[]) => Number(v[0]) * 1e6 + Number(v[1]) * 1e3 + Number(v[2]);
    assert.ok(num(engine.slice(1)) >= num(min.split(".")), `the engine's CLI ${engine[0]} is at least ${min}`);
  });
});

describe("deploy:dev: the cluster", () => {
  const target = (context: string, server?: string, cluster?: string): KubeTarget => ({ context, server, cluster, source: "test" });

  it("looks like production: prod, production or prd as a whole word of the context, cluster or server host", () => {
    const production = [
      target("prod"),
      target("gke_acme_europe-west1_prod-2"),
      target("arn:aws:eks:eu-west-1:123:cluster/production"),
      target("ops", "https://api.prd1.example.com:6443"),
      target("admin@main", undefined, "PROD-eu"),
    ];
    for (const t of production) assert.ok(looksLikeProduction(t), JSON.stringify(t));
    const development = [
      target("kind-kind", "https://127.0.0.1:39211"),
      target("minikube", "https://192.168.49.2:8443"),
      target("product-demo"),
      target("reproduce", "https://dev.example.com"),
      target("ape-local", "https://127.0.0.1:16443", "ape-local"),
    ];
    for (const t of development) assert.strictEqual(looksLikeProduction(t), undefined, JSON.stringify(t));
    assert.match(
      looksLikeProduction(target("ops", "https://k8s.prod.example.com"))!,
      /server name "k8s\.prod\.example\.com" contains "prod"/,
    );
  });

  it("no context: the local cluster; --local: the local cluster even with a context", () => {
    assert.deepStrictEqual(chooseCluster(undefined, { local: false, contextOk: false }).kind, "local");
    assert.deepStrictEqual(chooseCluster(target("kind-kind"), { local: true, contextOk: false }), {
      kind: "local",
      why: "--local was given",
    });
  });

  it("the local cluster's own context (its kubeconfig exported): the local cluster, with its own state", () => {
    const local = { server: "https://127.0.0.1:16443" };
    const choice = chooseCluster(target("ape-local", "https://127.0.0.1:16443"), { local: false, contextOk: false }, local);
    assert.deepStrictEqual(choice, { kind: "local", why: 'the kube context "ape-local" is the local cluster' });
    assert.strictEqual(
      chooseCluster(target("kind-kind", "https://127.0.0.1:39211"), { local: false, contextOk: false }, local).kind,
      "context",
    );
  });

  it("a context: deployed to; one that looks like production: refused, unless --context-ok", () => {
    assert.deepStrictEqual(chooseCluster(target("kind-kind"), { local: false, contextOk: false }), {
      kind: "context",
      target: target("kind-kind"),
    });
    const refused = chooseCluster(target("prod-eu"), { local: false, contextOk: false });
    assert.strictEqual(refused.kind, "refused");
    assert.match(refused.kind === "refused" ? refused.why : "", /looks like production.*--local.*--context-ok/s);
    assert.strictEqual(chooseCluster(target("prod-eu"), { local: false, contextOk: true }).kind, "context");
  });

  describe("reading the kube context", () => {
    let dir: string;
    const kubeconfig = (current: string | undefined, contexts: Array<[string, string, string]>) =>
      [
        "apiVersion: v1",
        "kind: Config",
        current === undefined ? "" : `current-context: ${current}`,
        "contexts:",
        ...contexts.map(([name, cluster]) => `- name: ${name}\n  context: { cluster: ${cluster}, user: u }`),
        "clusters:",
        ...contexts.map(([, cluster, server]) => `- name: ${cluster}\n  cluster: { server: "${server}" }`),
        "",
      ].join("\n");
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-kube-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("~/.kube/config's current context and its server; none without a file or a current context", () => {
      assert.strictEqual(readKubeTarget({}, {}, dir), undefined);
      fs.mkdirSync(path.join(dir, ".kube"));
      fs.writeFileSync(path.join(dir, ".kube", "config"), kubeconfig(undefined, [["kind-kind", "kind-kind", "https://127.0.0.1:39211"]]));
      assert.strictEqual(readKubeTarget({}, {}, dir), undefined);
      fs.writeFileSync(path.join(dir, ".kube", "config"), kubeconfig("kind-kind", [["kind-kind", "kind-kind", "https://127.0.0.1:39211"]]));
      assert.deepStrictEqual(readKubeTarget({}, {}, dir), {
        context: "kind-kind",
        cluster: "kind-kind",
        server: "https://127.0.0.1:39211",
        source: path.join(dir, ".kube", "config"),
      });
    });

    it("$KUBECONFIG's files merged as kubectl does; the stack's cluster settings win", () => {
      const a = path.join(dir, "a");
      const b = path.join(dir, "b");
      fs.writeFileSync(a, kubeconfig(undefined, [["minikube", "minikube", "https://192.168.49.2:8443"]]));
      fs.writeFileSync(b, kubeconfig("minikube", [["prod", "prod-cluster", "https://k8s.example.com"]]));
      const env = { KUBECONFIG: [a, path.join(dir, "missing"), b].join(path.delimiter) };
      assert.strictEqual(readKubeTarget({}, env, dir)?.server, "https://192.168.49.2:8443");
      assert.strictEqual(readKubeTarget({ context: "prod" }, env, dir)?.cluster, "prod-cluster");
      assert.strictEqual(readKubeTarget({ context: "nowhere" }, env, dir), undefined);
      // b names minikube as its current context, which only a defines: a kubeconfig setting replaces $KUBECONFIG.
      assert.strictEqual(readKubeTarget({ kubeconfig: b }, env, dir), undefined);
      assert.strictEqual(readKubeTarget({ kubeconfig: b, context: "prod" }, env, dir)?.server, "https://k8s.example.com");
      assert.strictEqual(
        readKubeTarget({ kubeconfig: fs.readFileSync(b, "utf8"), context: "prod" }, {}, dir)?.source,
        "the stack's cluster.kubeconfig setting",
      );
    });

    it("the dev stack file's cluster settings are read", () => {
      const file = path.join(dir, "Pulumi.dev.yaml");
      fs.writeFileSync(file, "config:\n  ape-2026:cluster:\n    context: kind-ape\n");
      assert.deepStrictEqual(stackClusterSettings(file, "ape-2026"), { context: "kind-ape", kubeconfig: undefined });
      assert.deepStrictEqual(stackClusterSettings(path.join(dir, "none.yaml"), "ape-2026"), {});
    });
  });
});

describe("deploy:dev: the local cluster", () => {
  it("the dev stack there: its kubeconfig, the cached charts the stack file does not set, no Ingress without an edge controller", () => {
    const dev = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).config;
    const facts = {
      kubeconfig: "/c/admin.kubeconfig",
      charts: { postgresql: "/charts/postgresql-16.7.27", redis: "/charts/redis-22.0.7" },
      edge: false,
    };
    const local = localStackSettings({ ...dev, "ape-2026:charts": { redis: { chart: "./mine" } } }, "ape-2026", facts);
    assert.deepStrictEqual(local["ape-2026:cluster"], { kubeconfig: "/c/admin.kubeconfig", context: "ape-local" });
    assert.deepStrictEqual(local["ape-2026:charts"], { redis: { chart: "./mine" }, postgresql: { chart: "/charts/postgresql-16.7.27" } });
    assert.strictEqual((local["ape-2026:ingress"] as any).enabled, false);
    assert.deepStrictEqual((local["ape-2026:ingress"] as any).hosts, dev["ape-2026:ingress"].hosts, "the rest of the section stays");
    for (const key of Object.keys(dev)) {
      if (!["ape-2026:ingress"].includes(key)) assert.deepStrictEqual(local[key], dev[key], key);
    }
    const withEdge = localStackSettings(dev, "ape-2026", { ...facts, charts: {}, edge: true });
    assert.deepStrictEqual(withEdge["ape-2026:ingress"], dev["ape-2026:ingress"]);
    assert.strictEqual(withEdge["ape-2026:charts"], undefined);
  });

  it("OS packages: nothing to do, apt-get as root on Debian, else named with how to install them", () => {
    assert.deepStrictEqual(planPackages([], false, false), { kind: "ready" });
    assert.deepStrictEqual(planPackages(["runc", "containerd", "containerd"], true, true), {
      kind: "install",
      packages: ["containerd", "runc"],
    });
    const user = planPackages(["nftables"], false, true);
    assert.ok(user.kind === "stop" && /nftables/.test(user.message) && /sudo apt-get install nftables/.test(user.message));
    const other = planPackages(["conntrack"], true, false);
    assert.ok(other.kind === "stop" && /package manager \(Debian names: conntrack\)/.test(other.message));
  });

  it("its place and ports, movable by the engine's variables", () => {
    const p = localPaths({ APE_LOCAL_CLUSTER: "/l" });
    assert.deepStrictEqual(
      [p.clusterDir, p.kubeconfig, p.stateDir, p.stackFile, p.apiPort],
      ["/l/cluster", "/l/cluster/admin.kubeconfig", "/l/state", "/l/Pulumi.dev.yaml", 16443],
    );
    const e2e = localPaths({ APE_LOCAL_CLUSTER: "/l", APE_CLUSTER_DIR: "/tmp/c", APE_APISERVER_PORT: "40001" });
    assert.deepStrictEqual([e2e.kubeconfig, e2e.apiPort], ["/tmp/c/admin.kubeconfig", 40001]);
  });

  it("the edge controller step runs once the engine knows the edge group", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-edge-"));
    try {
      const envSh = path.join(dir, "env.sh");
      fs.writeFileSync(envSh, "_engine_group() {\n  case $1 in\n    kubectl) echo kubectl ;;\n    kubenode) echo kubelet ;;\n  esac\n}\n");
      assert.strictEqual(edgeControllerKnown(envSh), false);
      fs.writeFileSync(
        envSh,
        "_engine_group() {\n  case $1 in\n    kubectl) echo kubectl ;;\n    edge) echo traefik \\\n      cert-manager-controller ;;\n  esac\n}\n",
      );
      assert.strictEqual(edgeControllerKnown(envSh), true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.strictEqual(edgeControllerKnown(), true, "the engine's own env.sh has the edge group");
  });

  it("the build's targets from what env.sh reports missing", () => {
    assert.deepStrictEqual(
      ["etcd", "cni/bridge", "images/podinfo.tar", "node>=22", "kube-router", "edge/crds/traefik.yaml", "edge/images/traefik.tar"].map(
        targetOf,
      ),
      ["etcd", "cni-plugins", "image-podinfo", "node", "kube-router", "edge-crds", "image-traefik"],
    );
  });

  it("build progress: each target with its time from the last build, how many are done, an estimate of what is left", () => {
    const engine = fs.mkdtempSync(path.join(os.tmpdir(), "ape-report-"));
    try {
      fs.mkdirSync(path.join(engine, "report.d"));
      fs.writeFileSync(path.join(engine, "report.d", "coredns.tsv"), "coredns\tv1.15.0\tbuilt\t200\t1\tgo\n");
      fs.writeFileSync(path.join(engine, "report.d", "crictl.tsv"), "crictl\tv1.36.0\tFAILED\t30\t0\terror\n");
      fs.writeFileSync(
        path.join(engine, "build-report.tsv"),
        "binary\tversion\tstatus\tseconds\tbytes\tdetail\ncoredns\tv\tbuilt\t999\t1\t\nnettool\tv\tbuilt\t4\t1\t\n",
      );
      const last = lastBuildSeconds(engine);
      assert.deepStrictEqual(
        [...last].sort(),
        [
          ["coredns", 200],
          ["nettool", 4],
        ],
        "report.d first; failed or unknown times left out",
      );

      const progress = new BuildProgress(["coredns", "nettool", "crictl"], last);
      assert.strictEqual(progress.remaining(0), 200 + 4 + 125, "crictl: the first-build figure");
      assert.strictEqual(
        progress.line("2026-12-06T20:00:00Z [engine] build coredns v1.15.0 (log: /w/coredns.log)", 0),
        "[1/3] building coredns (its last build: 3 min 20 s); about 5 min 29 s left in all",
      );
      assert.strictEqual(progress.tick(60), "    still building coredns: 1 min 00 s of about 3 min 20 s; about 4 min 29 s left in all");
      assert.strictEqual(
        progress.line("2026-12-06T20:03:00Z [engine] done  coredns v1.15.0 in 180s, 55 bytes", 180),
        "[1/3] built coredns in 3 min 00 s",
      );
      assert.strictEqual(progress.line("2026-12-06T20:03:00Z [engine] skip nettool src.1 (already built)", 180), undefined);
      assert.strictEqual(progress.remaining(180), 125);
      assert.match(
        progress.line("[engine] build crictl v1.36.0 (log: x)", 180)!,
        /^\[3\/3\] building crictl \(a first build on 2 cores: 2 min 05 s\)/,
      );
      assert.match(progress.line("[engine] FAILED crictl after 12s: boom", 192)!, /^FAILED crictl after 12s: boom/);
      assert.strictEqual(progress.tick(200), undefined);
    } finally {
      fs.rmSync(engine, { recursive: true, force: true });
    }
  });
});

describe("deploy:dev: arguments", () => {
  it("its own options are taken out; everything else goes to pulumi up", () => {
    assert.deepStrictEqual(parseDeployArgs(["--local", "--diff", "--no-build"]), {
      local: true,
      contextOk: false,
      build: false,
      help: false,
      pulumiArgs: ["--diff"],
    });
    assert.deepStrictEqual(parseDeployArgs(["--context-ok", "--", "--target", "x"]).pulumiArgs, ["--target", "x"]);
  });
});

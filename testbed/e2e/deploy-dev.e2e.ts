// The README's first command, run as a user runs it: `npm run deploy:dev` (with --local and
// --no-build: the test never builds the engine), then the same command again, which must change
// nothing. Two ways, depending on where it runs:
// - under testbed/e2e.sh with its node (stage 3): the command finds that control plane and node
//   running (the engine's APE_CLUSTER_DIR and ports point at them) and reuses them; the stack is
//   destroyed afterwards and the cluster is left to e2e.sh;
// - alone (npx mocha --config .mocharc.e2e.json testbed/e2e/deploy-dev.e2e.ts), with nothing
//   running: the command starts its own local cluster in a temporary directory, and
//   `npm run cluster -- down` must then leave the machine as it found it (processes, mounts,
//   network links, iptables and nftables rules compared before and after).
// Skipped, saying why, without root, the engine (CLI, providers, control plane, node), the chart
// cache or the local images, or when another node owns the machine's pod bridge.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { engineDirs } from "../../scripts/engine-build";
import { cachedCharts, localImageTarballs, localPaths } from "../../scripts/local-cluster";
import { REPO } from "./pulumi";
import { background, ok, Run } from "./run";

const REUSE = process.env.APE_E2E_NODE === "1";
const DEV_CHARTS = ["postgresql", "redis", "prometheus", "grafana"];

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (the local cluster's node)";
  if (!REUSE && process.env.APE_E2E_NODE_SKIP) return `the node cannot run here: ${process.env.APE_E2E_NODE_SKIP}`;
  const engine = spawnSync(
    "bash",
    [path.join(REPO, "testbed/engine/env.sh"), "controlplane", "pulumi", "kubernetes", "random", "tls", "kubenode"],
    {
      encoding: "utf8",
    },
  );
  if (engine.status !== 0) return `the engine is not built: ${engine.stderr.trim()}`;
  const charts = cachedCharts();
  const missing = DEV_CHARTS.filter((c) => !(c in charts));
  if (missing.length > 0) return `the chart cache lacks ${missing.join(", ")} (docs/operations.md "Air-gapped charts")`;
  if (localImageTarballs().length === 0) return "no local image build (the chart images: testbed/images/build.sh)";
  if (!REUSE && spawnSync("ip", ["link", "show", "ape0"]).status === 0) return "another node runs on this machine (bridge ape0)";
  return undefined;
}

/** What a local cluster could leave behind, as text to compare before and after. */
function hostState(): Record<string, string> {
  const out = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" }).stdout ?? "";
  const lines = (text: string) =>
    text
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#"))
      .sort()
      .join("\n");
  return {
    // Mounts of other builds on this machine (image builds with buildah) come and go on their own.
    mounts: lines(
      fs
        .readFileSync("/proc/mounts", "utf8")
        .split("\n")
        .filter((l) => !/ape-2026-images|\/run\/containers|\/var\/lib\/containers/.test(l))
        .join("\n"),
    ),
    links: lines(
      out("ip", ["-o", "link", "show"])
        .replace(/^\d+: /gm, "")
        .replace(/ qlen \d+.*$/gm, ""),
    ),
    iptables: lines(out("iptables-save", []).replace(/\[\d+:\d+\]/g, "")),
    nft: lines(out("nft", ["list", "ruleset"]).replace(/counter packets \d+ bytes \d+/g, "counter")),
  };
}

function diff(before: Record<string, string>, after: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(before)) {
    const b = new Set(before[key].split("\n"));
    const a = new Set(after[key].split("\n"));
    for (const l of a) if (!b.has(l)) problems.push(`${key}: added ${l}`);
    for (const l of b) if (!a.has(l)) problems.push(`${key}: removed ${l}`);
  }
  return problems;
}

const reason = skipReason();

(reason ? describe.skip : describe)(`e2e: npm run deploy:dev on the local cluster${reason ? ` (skipped: ${reason})` : ""}`, function () {
  this.timeout(40 * 60_000);
  const figures: string[] = [];
  // A directory of its own for the cluster (alone) and the stack's state, made when the tests run.
  let root = "";
  let env: NodeJS.ProcessEnv = {};
  let paths = localPaths();
  const devFile = path.join(REPO, "Pulumi.dev.yaml");
  const devText = fs.readFileSync(devFile, "utf8");
  let hostBefore: Record<string, string> = {};
  let first: Run | undefined;

  const npm = async (...args: string[]) => background("npm", ["run", ...args], { env, ownGroup: true }).done;
  const kubectl = (...args: string[]) =>
    spawnSync(path.join(engineDirs().bin, "kubectl"), args, { encoding: "utf8", env: { ...env, KUBECONFIG: paths.kubeconfig } });

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ape-e2e-local-"));
    env = { ...process.env, APE_LOCAL_CLUSTER: root, PATH: `${path.join(REPO, "node_modules", ".bin")}:${process.env.PATH}` };
    if (!REUSE)
      for (const k of ["APE_CLUSTER_DIR", "APE_APISERVER_PORT", "APE_ETCD_PORT", "APE_ETCD_PEER_PORT", "KUBECONFIG"]) delete env[k];
    paths = localPaths(env);
    hostBefore = hostState();
  });

  after(async () => {
    if (REUSE) {
      // The cluster is e2e.sh's: remove only the stack.
      const destroy = spawnSync(
        "bash",
        ["-c", `source ${REPO}/testbed/engine/env.sh && pulumi destroy -s dev --yes --non-interactive --config-file ${paths.stackFile}`],
        {
          cwd: REPO,
          encoding: "utf8",
          env: { ...env, PULUMI_BACKEND_URL: `file://${paths.stateDir}`, PULUMI_CONFIG_PASSPHRASE: "" },
        },
      );
      if (destroy.status !== 0) console.log(`pulumi destroy: ${destroy.stdout.slice(-2000)}${destroy.stderr.slice(-2000)}`);
      // deploy:dev started the edge controller on e2e.sh's node (when built): the node is e2e.sh's
      // again without it (testbed/e2e/edge.e2e.ts starts its own).
      const edge = spawnSync(path.join(REPO, "testbed/engine/cluster.sh"), ["node", "edge", "stop"], { encoding: "utf8", env });
      if (edge.status !== 0) console.log(`cluster.sh node edge stop: ${edge.stderr.slice(-2000)}`);
    } else {
      await npm("cluster", "--", "down");
    }
    fs.writeFileSync(devFile, devText); // `stack select --create` adds the stack's encryption salt
    fs.rmSync(root, { recursive: true, force: true });
    for (const f of figures) console.log(`      ${f}`);
  });

  it("deploys the dev stack, Ready, and prints how to reach it and tear it down", async () => {
    first = await npm("deploy:dev", "--", "--local", "--no-build");
    // What the command said about each step and its time, whatever the outcome.
    figures.push(
      ...first.out.split("\n").filter((l) => /^\[deploy:dev\] (Pulumi CLI|control plane|node|local cluster|charts|pulumi up)/.test(l)),
    );
    ok(first, "npm run deploy:dev -- --local --no-build", 8000);
    figures.push(
      `first npm run deploy:dev (${REUSE ? "control plane and node reused" : "control plane and node started"}): ${first.seconds.toFixed(1)} s`,
    );
    const up = /pulumi up: (.*?); dev stack Ready/.exec(first.out);
    if (up) figures.push(`  of which pulumi up: ${up[1]}`);
    assert.match(first.out, REUSE ? /control plane: running \(reused\)/ : /control plane: started in/);
    assert.match(first.out, REUSE ? /node: running \(reused\)/ : /node: Ready in/);
    for (const section of ["Reach it:", "API:", "Grafana:", "Prometheus:", "Tear down:", "npm run cluster -- down"])
      assert.ok(first.out.includes(section), section);
    const pods = JSON.parse(kubectl("get", "pods", "-n", "ape-2026", "-o", "json").stdout).items as any[];
    assert.ok(pods.length > 0, "the dev stack has pods");
    const notReady = pods.filter(
      (p) => p.status.phase !== "Succeeded" && !(p.status.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True"),
    );
    assert.deepStrictEqual(
      notReady.map((p) => p.metadata.name),
      [],
      "every pod of the dev stack is Ready",
    );
    figures.push(`dev stack pods Ready: ${pods.length}`);
  });

  it("a second run reuses everything and changes nothing", async () => {
    assert.ok(first && first.code === 0, "the first run succeeded");
    const second = ok(await npm("deploy:dev", "--", "--local", "--no-build"), "second npm run deploy:dev", 8000);
    figures.push(`second npm run deploy:dev (no change): ${second.seconds.toFixed(1)} s`);
    const up = /pulumi up: (.*?); dev stack Ready/.exec(second.out);
    if (up) figures.push(`  of which pulumi up: ${up[1]}`);
    assert.match(second.out, /local cluster: everything reused/);
    assert.doesNotMatch(second.out, /\d+ (to )?(create|update|delete|replace)d?\b/, "pulumi up changed something");
    assert.match(second.out, /\d+ unchanged/);
  });

  (REUSE ? it.skip : it)("npm run cluster -- down leaves no process, mount, network link or rule behind", async () => {
    const down = ok(await npm("cluster", "--", "down"), "npm run cluster -- down");
    figures.push(`npm run cluster -- down: ${down.seconds.toFixed(1)} s`);
    assert.match(down.out, /no process, mount, network link or rule of the local cluster is left/);
    const left = spawnSync("sh", ["-c", `ps -eo args | grep -F '${root}' | grep -v grep`], { encoding: "utf8" }).stdout.trim();
    assert.strictEqual(left, "", "processes of the local cluster");
    assert.deepStrictEqual(diff(hostBefore, hostState()), []);
    assert.ok(!fs.existsSync(paths.clusterDir), "the cluster directory is removed");
  });
});

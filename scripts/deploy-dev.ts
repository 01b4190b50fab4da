// `npm run deploy:dev [-- OPTIONS] [-- pulumi up arguments]`: deploys the dev stack, from a machine
// with nothing but Node.js if need be (run through scripts/deploy-dev.sh, which sets the backend
// variables and type-checks first):
//   1. the Pulumi CLI (scripts/pulumi-cli.ts): on PATH, in the standard cache, installed there by
//      the Automation API, or built by the local engine;
//   2. the cluster (scripts/kube-context.ts): the current kube context, named before anything
//      happens and refused when it looks like production; else, or with --local, the project's local
//      cluster (scripts/local-cluster.ts), built and started as needed;
//   3. `pulumi up` of the dev stack, then the acceptance check (npm run verify) when the project has
//      one, then how to reach the API, Grafana and Prometheus and how to tear it all down.
// Options: --local, --context-ok (deploy to a context that looks like production), --no-build
// (stop instead of building missing engine parts). Anything else goes to `pulumi up`.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { API_NAME, API_PORT_NAMES } from "../services/api";
import { CONTROLLERS } from "../services/edge";
import { defaultsFor } from "../stack";
import { buildWithProgress, engineDirs } from "./engine-build";
import { chooseCli, Cli, cliEnv, describeCli, noCliMessage, pulumiCliMinimum, realProbes } from "./pulumi-cli";
import { chooseCluster, describeTarget, readKubeTarget, stackClusterSettings } from "./kube-context";
import { cachedCharts, localPaths, LocalPaths, up, writeLocalStackFile } from "./local-cluster";
import { capture, duration, inFront, ToolError } from "./proc";

const ROOT = path.resolve(__dirname, "..");
const STACK = "dev";
const say = (line: string) => console.log(`[deploy:dev] ${line}`);

/** The engine targets of the offline CLI: the CLI, its Node.js language host and the program's plugins. */
const CLI_TARGETS = [
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-resource-pulumi-nodejs",
  "pulumi-resource-kubernetes",
  "pulumi-resource-random",
  "pulumi-resource-tls",
];

export interface DeployArgs {
  readonly local: boolean;
  readonly contextOk: boolean;
  readonly build: boolean;
  readonly help: boolean;
  /** Everything else, for `pulumi up`. */
  readonly pulumiArgs: readonly string[];
}

export function parseDeployArgs(argv: readonly string[]): DeployArgs {
  const own = new Set(["--local", "--context-ok", "--no-build", "--help", "-h"]);
  const rest = argv.filter((a) => !own.has(a));
  return {
    local: argv.includes("--local"),
    contextOk: argv.includes("--context-ok"),
    build: !argv.includes("--no-build"),
    help: argv.includes("--help") || argv.includes("-h"),
    pulumiArgs: rest[0] === "--" ? rest.slice(1) : rest,
  };
}

const USAGE = `npm run deploy:dev [-- [--local] [--context-ok] [--no-build] [pulumi up arguments]]
  --local       deploy to the project's local cluster even when a kube context exists
  --context-ok  deploy to the current kube context even though it looks like production
  --no-build    do not build missing parts of the local engine; stop and say what is missing`;

async function findCli(args: DeployArgs): Promise<Cli> {
  const minimum = pulumiCliMinimum();
  const probes = realProbes(minimum);
  const choice = await chooseCli(minimum, probes);
  if (choice.kind === "found") return choice.cli;
  if (choice.kind === "none") throw new ToolError(choice.message);
  if (!args.build) throw new ToolError(noCliMessage(minimum, [...choice.tried, "build the local engine's CLI: --no-build was given"]));
  say("no Pulumi CLI on PATH, in the cache or from the internet: building the local engine's CLI (offline)");
  const { engine } = engineDirs();
  const log = path.join(path.dirname(engine), "cli-build.log");
  const code = await buildWithProgress(CLI_TARGETS, engine, log, say);
  const built = code === 0 ? await probes.engine() : { reason: `testbed/engine/build.sh failed (exit ${code}; log ${log})` };
  if ("cli" in built) return built.cli;
  throw new ToolError(noCliMessage(minimum, [...choice.tried, `build the local engine's CLI: ${built.reason}`]));
}

/** Where the dev stack goes and the environment and arguments its pulumi commands need there. */
interface Target {
  readonly description: string;
  readonly env: NodeJS.ProcessEnv;
  /** `--config-file` for the local cluster's generated stack file. */
  readonly configArgs: readonly string[];
  readonly local?: LocalPaths;
  /** The local cluster runs the edge controller (a context: whatever that cluster has). */
  readonly edge?: boolean;
  readonly kubectl: string;
}

async function chooseTarget(args: DeployArgs, project: string): Promise<Target> {
  const target = readKubeTarget(stackClusterSettings(path.join(ROOT, `Pulumi.${STACK}.yaml`), project));
  const choice = chooseCluster(target, args, { server: `https://127.0.0.1:${localPaths().apiPort}` });
  if (choice.kind === "refused") throw new ToolError(choice.why);
  if (choice.kind === "context") {
    say(`deploying the ${STACK} stack to ${describeTarget(choice.target)}`);
    return { description: describeTarget(choice.target), env: { ...process.env }, configArgs: [], kubectl: "kubectl" };
  }
  say(`deploying the ${STACK} stack to the project's local cluster: ${choice.why}`);
  const t0 = Date.now();
  const cluster = await up({ build: args.build, say });
  const p = cluster.paths;
  say(
    cluster.started.length > 0
      ? `local cluster ready in ${duration((Date.now() - t0) / 1000)} (started: ${cluster.started.join(", ")})`
      : "local cluster: everything reused",
  );
  const charts = cachedCharts();
  if (Object.keys(charts).length > 0) say(`charts from the local chart cache: ${Object.keys(charts).join(", ")}`);
  fs.mkdirSync(p.stateDir, { recursive: true });
  say(`the stack's state: file://${p.stateDir} (it goes with the local cluster, whatever PULUMI_BACKEND_URL says)`);
  return {
    description: `the local cluster (kube context ape-local, server https://127.0.0.1:${p.apiPort})`,
    env: { ...process.env, PULUMI_BACKEND_URL: `file://${p.stateDir}`, KUBECONFIG: p.kubeconfig },
    configArgs: ["--config-file", p.stackFile],
    local: p,
    edge: cluster.edge,
    kubectl: path.join(engineDirs().bin, "kubectl"),
  };
}

function stackOutputs(cli: Cli, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const res = capture(cli.command, ["stack", "output", "--json", "--stack", STACK, "--non-interactive"], { env, cwd: ROOT });
  try {
    return res.code === 0 ? JSON.parse(res.stdout) : {};
  } catch {
    return {};
  }
}

/** The namespace of the dev stack: its output, else its stack file's setting, else the default. */
function namespaceOf(outputs: Record<string, unknown>, project: string): string {
  if (typeof outputs.namespace === "string") return outputs.namespace;
  const dev = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${STACK}.yaml`), "utf8"))?.config?.[`${project}:namespace`];
  return typeof dev?.name === "string" ? dev.name : defaultsFor("development").namespace.name;
}

/** The environment every later command needs, and how to tear down. */
function laterCommands(cli: Cli, target: Target): string[] {
  const lines = ["", "Every later command needs this environment:"];
  lines.push(
    `  export PULUMI_BACKEND_URL=${target.env.PULUMI_BACKEND_URL} PULUMI_CONFIG_PASSPHRASE=${target.env.PULUMI_CONFIG_PASSPHRASE ?? ""}`,
  );
  if (target.local) lines.push(`  export KUBECONFIG=${target.local.kubeconfig}`);
  if (cli.source !== "path")
    lines.push(`  export PATH=${path.dirname(cli.command)}:$PATH   # the Pulumi CLI used here${cli.offline ? " and its plugins" : ""}`);
  lines.push("", "Tear down:");
  if (target.local) {
    lines.push("  npm run cluster -- down     # the local cluster, and the stack's state with it");
    lines.push(`  pulumi destroy -s ${STACK} --yes ${target.configArgs.join(" ")}     # only the stack, keeping the cluster`);
  } else {
    lines.push(`  pulumi destroy -s ${STACK} --yes`);
  }
  return lines;
}

/** The HTTPS listener of the stack's Gateway, which Traefik serves on the same port. */
const LOCAL_EDGE_HTTPS_PORT = CONTROLLERS.traefik.gateway.listenerPorts.https;

/** The local cluster's edge controller is a pod: its address on the node's bridge, if it runs. */
function localEdgeIp(target: Target): string | undefined {
  if (!target.local || !target.edge) return undefined;
  const pod = capture(
    target.kubectl,
    ["-n", "traefik", "get", "pods", "-l", "app.kubernetes.io/name=traefik", "-o", "jsonpath={.items[0].status.podIP}"],
    { env: target.env },
  );
  return pod.code === 0 && pod.stdout.trim() ? pod.stdout.trim() : undefined;
}

/** How to reach the API, Grafana and Prometheus (`edgeIp`: the local edge controller's pod), then the later commands. */
function summary(cli: Cli, target: Target, outputs: Record<string, unknown>, ns: string, edgeIp: string | undefined): string[] {
  const kube = capture(
    target.kubectl,
    ["-n", ns, "get", "service", API_NAME, "-o", `jsonpath={.spec.ports[?(@.name=="${API_PORT_NAMES.http}")].port}`],
    { env: target.env },
  );
  const apiPort = kube.code === 0 && /^\d+$/.test(kube.stdout.trim()) ? kube.stdout.trim() : "<port>";
  // The local cluster's kubectl is the engine's, which need not be on PATH.
  const kubectl = (command: string) => (target.local ? command.replace(/^kubectl /, `${target.kubectl} `) : command);
  const url = (text: unknown) => String(text ?? "").replace(/ \(.*$/, "");
  const lines = ["", `The ${STACK} stack runs on ${target.description}.`, "", "Reach it:"];
  lines.push(
    `  API:        ${kubectl(`kubectl -n ${ns} port-forward svc/${API_NAME} 8080:${apiPort}`)}   then http://localhost:8080/healthz`,
  );
  if (typeof outputs.url === "string" && !target.local) {
    lines.push(`              or through the Ingress: ${outputs.url} (its CA: pulumi stack output caCertificate -s ${STACK})`);
  }
  if (typeof outputs.url === "string" && target.local && target.edge) {
    const ip = edgeIp ?? "<traefik pod IP>";
    const host = /^https?:\/\/([^/:\s]+)/.exec(outputs.url)?.[1] ?? "<host>";
    lines.push(
      `              or through the edge (Traefik): curl --cacert <(pulumi stack output caCertificate -s ${STACK}) ` +
        `--resolve ${host}:${LOCAL_EDGE_HTTPS_PORT}:${ip} https://${host}:${LOCAL_EDGE_HTTPS_PORT}/healthz`,
    );
  }
  if (typeof outputs.grafanaPortForward === "string") {
    lines.push(`  Grafana:    ${kubectl(outputs.grafanaPortForward)}   then ${url(outputs.grafanaUrl)}`);
    lines.push(
      `              user ${String(outputs.grafanaAdminUser ?? "admin")}; password: ${String(outputs.grafanaAdminPasswordCommand ?? "")}`,
    );
  } else lines.push("  Grafana:    not part of this stack (grafana.enabled false)");
  if (typeof outputs.prometheusPortForward === "string") {
    lines.push(`  Prometheus: ${kubectl(outputs.prometheusPortForward)}   then ${url(outputs.prometheusUrl)}`);
  } else lines.push("  Prometheus: not part of this stack (prometheus.enabled false)");
  return [...lines, ...laterCommands(cli, target)];
}

/** After a failed update: where to look, then the later commands (a new run resumes where this one stopped). */
function afterFailure(cli: Cli, target: Target, ns: string): string[] {
  const kubectl = target.local ? target.kubectl : "kubectl";
  return [
    "",
    "To see what did not come up, and why:",
    `  ${target.local ? `KUBECONFIG=${target.local.kubeconfig} ` : ""}${kubectl} -n ${ns} get pods`,
    `  ${kubectl} -n ${ns} describe pod <pod>;  ${kubectl} -n ${ns} logs <pod> --all-containers --previous`,
    `Run npm run deploy:dev${target.local ? " -- --local" : ""} again once it is fixed: the update resumes where it stopped.`,
    ...laterCommands(cli, target),
  ];
}

async function main(): Promise<number> {
  const args = parseDeployArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const t0 = Date.now();
  const cli = await findCli(args);
  say(describeCli(cli));
  const project: string = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).name;
  const target = await chooseTarget(args, project);
  const env = cliEnv(cli, target.env);

  const select = capture(cli.command, ["stack", "select", "--create", STACK, "--non-interactive"], { env, cwd: ROOT });
  if (select.code !== 0) throw new ToolError(`pulumi stack select --create ${STACK} failed:\n${select.stderr.trim()}`);
  if (target.local) writeLocalStackFile(target.local, project, { charts: cachedCharts(), edge: target.edge === true });

  const upStart = Date.now();
  say(`pulumi up --stack ${STACK} ${[...target.configArgs, ...args.pulumiArgs].join(" ")}`.trim());
  const code = await inFront(
    cli.command,
    ["up", "--stack", STACK, "--yes", "--non-interactive", ...target.configArgs, ...args.pulumiArgs],
    { env, cwd: ROOT },
  );
  if (code !== 0) {
    say(`pulumi up failed (exit ${code}) after ${duration((Date.now() - upStart) / 1000)}; the output above says why.`);
    for (const line of afterFailure(cli, target, namespaceOf({}, project))) console.log(line);
    return code;
  }
  say(`pulumi up: ${duration((Date.now() - upStart) / 1000)}; ${STACK} stack Ready ${duration((Date.now() - t0) / 1000)} after the start`);

  let verified = 0;
  const edge = localEdgeIp(target);
  if (fs.existsSync(path.join(ROOT, "scripts", "verify.ts"))) {
    say(`acceptance check: npm run verify -- --stack ${STACK}`);
    // On the local cluster the entry point's name resolves nowhere: the check connects to the edge
    // controller's pod for it, as the summary's curl --resolve line does.
    const entry = edge ? ["--entry-address", `${edge}:${LOCAL_EDGE_HTTPS_PORT}`] : [];
    verified = await inFront("npm", ["run", "--silent", "verify", "--", "--stack", STACK, ...entry], { env, cwd: ROOT });
    if (verified !== 0) say(`the acceptance check failed (exit ${verified}): see its report above`);
  } else {
    say("acceptance check: this checkout has no `npm run verify` (scripts/verify.ts) yet; skipped");
  }
  const outputs = stackOutputs(cli, env);
  for (const line of summary(cli, target, outputs, namespaceOf(outputs, project), edge)) console.log(line);
  return verified;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      if (error instanceof ToolError) console.error(`[deploy:dev] ${error.message}`);
      else console.error(error);
      process.exit(1);
    },
  );
}

// Checks a deployed stack against its live cluster: every pod Running and Ready (restarts counted),
// every workload at its replica count, every Service with ready endpoints, each HPA ScalingActive
// with a current metric, each PDB's allowed disruptions, every PVC Bound, the entry point answering
// over TLS with the expected certificate, and the API's connections to PostgreSQL, Redis (through
// Sentinel where on), Neo4j and the cluster DNS allowed by the NetworkPolicies in the namespace.
// What to expect comes from the stack's outputs; the cluster is read with kubectl.
//
//   npm run verify -- --stack dev                  # human summary; exit 1 when a check fails
//   npm run verify -- --stack production --json    # the same as JSON
//
// Options: --wait <seconds> (retry every 5 s until everything passes or the time is up), --cwd <dir>
// (the Pulumi project, default here), --context/--kubeconfig (default: the stack's cluster settings,
// else kubectl's current context), --entry-address <host[:port]> (connect there for the url's host,
// like curl --resolve, e.g. before DNS points at the ingress), --ca <file> (trust this CA instead of
// the caCertificate output or the system CAs), --tail <lines> (log lines per failing container, 20).
// Exit 0: passed (warnings allowed); 1: a check failed; 2: verify could not run (usage, pulumi, kubectl).
import * as fs from "fs";
import { Check, logRequests, objectChecks, ofKind, recentEvents } from "./verify/checks";
import { Kubectl, lookUp, snapshot, Snapshot, stackCluster, stackOutputs } from "./verify/cluster";
import { connectionChecks, externalHosts, referencedNamespaces, StackOutputs } from "./verify/connections";
import { entryPointCheck, probeEntryPoint, TlsProbe } from "./verify/entry-point";
import { formatReport, makeReport, Report } from "./verify/report";

interface Options {
  readonly stack: string;
  readonly json: boolean;
  readonly waitSeconds: number;
  readonly cwd?: string;
  readonly context?: string;
  readonly kubeconfig?: string;
  readonly entryAddress?: string;
  readonly ca?: string;
  readonly tail: number;
}

const USAGE =
  "usage: npm run verify -- --stack <name> [--json] [--wait <seconds>] [--cwd <project dir>] [--context <ctx>]" +
  " [--kubeconfig <file>] [--entry-address <host[:port]>] [--ca <file>] [--tail <lines>]";

/** The command line, or an error message. */
export function parseArgs(argv: string[]): Options | string {
  const values: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") json = true;
    else if (/^--(stack|wait|cwd|context|kubeconfig|entry-address|ca|tail)$/.test(arg)) {
      if (i + 1 >= argv.length) return `${arg} needs a value`;
      values[arg.slice(2)] = argv[++i];
    } else if (/^--[a-z-]+=/.test(arg)) {
      const [k, ...v] = arg.slice(2).split("=");
      if (!/^(stack|wait|cwd|context|kubeconfig|entry-address|ca|tail)$/.test(k)) return `unknown option --${k}`;
      values[k] = v.join("=");
    } else return `unexpected argument ${arg}`;
  }
  if (!values.stack) return "--stack is required";
  const seconds = (v: string | undefined, what: string) => {
    const m = (v ?? "0").match(/^(\d+)(s|m)?$/);
    return m ? Number(m[1]) * (m[2] === "m" ? 60 : 1) : `${what} takes seconds (e.g. 300 or 5m), not ${v}`;
  };
  const waitSeconds = seconds(values.wait, "--wait");
  if (typeof waitSeconds === "string") return waitSeconds;
  const tail = Number(values.tail ?? 20);
  if (!Number.isInteger(tail) || tail < 1) return `--tail takes a number of lines, not ${values.tail}`;
  return {
    stack: values.stack,
    json,
    waitSeconds,
    cwd: values.cwd,
    context: values.context,
    kubeconfig: values.kubeconfig,
    entryAddress: values["entry-address"],
    ca: values.ca,
    tail,
  };
}

/**
 * Every check of the stack from what was read: the objects of its namespace, the entry point, the
 * connections; each failing object with its recent events. Pure (`now` dates the events).
 */
export function evaluate(
  outputs: StackOutputs,
  namespace: string,
  snap: Snapshot,
  probe: TlsProbe | undefined,
  addresses: Record<string, string[]>,
  now: Date,
): Check[] {
  const checks = [
    ...objectChecks(snap.objects, namespace),
    entryPointCheck(probe, now),
    ...connectionChecks(outputs, snap.objects, namespace, snap.namespaceLabels, addresses),
  ];
  return checks.map((c) => (c.status === "fail" ? { ...c, events: recentEvents(snap.objects, c, namespace) } : c));
}

/** The trust anchor for the entry point: --ca, else the stack's caCertificate output, else the system CAs. */
function trustOf(opts: Options, outputs: StackOutputs): { ca?: string; trust: string } {
  if (opts.ca) return { ca: fs.readFileSync(opts.ca, "utf8"), trust: opts.ca };
  if (outputs.caCertificate && outputs.caCertificate.includes("BEGIN CERTIFICATE"))
    return { ca: outputs.caCertificate, trust: "the stack's CA (caCertificate output)" };
  return { trust: "the system CAs" };
}

/** Reads the stack and its cluster once and evaluates everything. */
async function verifyOnce(opts: Options, outputs: StackOutputs, kubectl: Kubectl): Promise<{ checks: Check[]; snap: Snapshot }> {
  const namespace = outputs.namespace!;
  const snap = snapshot(kubectl, namespace, referencedNamespaces(outputs, namespace));
  const addresses = await lookUp(externalHosts(outputs, snap.objects, namespace));
  const probe = outputs.url ? await probeEntryPoint(outputs.url, { ...trustOf(opts, outputs), address: opts.entryAddress }) : undefined;
  return { checks: evaluate(outputs, namespace, snap, probe, addresses, new Date()), snap };
}

/** Adds the tail of the logs of each failing pod's containers. */
function withLogs(checks: Check[], snap: Snapshot, namespace: string, kubectl: Kubectl, tail: number): Check[] {
  return checks.map((c) => {
    if (c.status !== "fail" || c.section !== "pods") return c;
    const pod = ofKind(snap.objects, "Pod", namespace).find((p) => `pod/${p.metadata.name}` === c.object);
    return pod ? { ...c, logs: logRequests(pod).map((r) => kubectl.logs(namespace, r, tail)) } : c;
  });
}

export async function verify(opts: Options, log: (line: string) => void): Promise<Report> {
  const ref = { stack: opts.stack, cwd: opts.cwd };
  const outputs = stackOutputs(ref);
  if (!outputs.namespace) throw new Error(`stack ${opts.stack} has no namespace output: has it been deployed (pulumi up)?`);
  const configured = opts.context || opts.kubeconfig ? {} : stackCluster(ref);
  const kubectl = new Kubectl({ context: opts.context ?? configured.context, kubeconfig: opts.kubeconfig ?? configured.kubeconfig });
  try {
    const deadline = Date.now() + opts.waitSeconds * 1000;
    for (;;) {
      const { checks, snap } = await verifyOnce(opts, outputs, kubectl);
      const failing = checks.filter((c) => c.status === "fail");
      if (failing.length === 0 || Date.now() + 5000 > deadline) {
        const now = new Date();
        return makeReport(opts.stack, outputs.namespace, withLogs(checks, snap, outputs.namespace, kubectl, opts.tail), snap.notes, now);
      }
      const names = failing.map((c) => c.object);
      log(
        `verify: waiting, ${failing.length} failing (${names.slice(0, 4).join(", ")}${names.length > 4 ? ", …" : ""}); ` +
          `${Math.round((deadline - Date.now()) / 1000)} s left`,
      );
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  } finally {
    kubectl.close();
  }
}

if (require.main === module) {
  const opts = parseArgs(process.argv.slice(2));
  if (typeof opts === "string") {
    console.error(`${opts}\n${USAGE}`);
    process.exit(2);
  }
  verify(opts, (line) => console.error(line)).then(
    (report) => {
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + "\n" : formatReport(report, new Date(report.checkedAt)));
      process.exitCode = report.passed ? 0 : 1;
    },
    (e: Error) => {
      console.error(`verify: ${e.message}`);
      process.exitCode = 2;
    },
  );
}

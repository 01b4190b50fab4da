// Where `npm run deploy:dev` deploys: the kube context the dev stack would use (its `cluster`
// settings, else $KUBECONFIG, else ~/.kube/config), or the project's local cluster when there is no
// context or `--local` is given. A context that looks like production is refused unless
// `--context-ok` is given. The decision (chooseCluster) is a pure function of what was read.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";

/** The context a deploy would use, as read from the kubeconfig. */
export interface KubeTarget {
  readonly context: string;
  /** The context's cluster name and its API server URL (undefined when the kubeconfig does not say). */
  readonly cluster?: string;
  readonly server?: string;
  /** Where the kubeconfig came from (file paths, or "the stack's cluster.kubeconfig setting"). */
  readonly source: string;
}

export interface ClusterFlags {
  /** `--local`: the project's local cluster even when a context exists. */
  readonly local: boolean;
  /** `--context-ok`: deploy to a context that looks like production. */
  readonly contextOk: boolean;
}

export type ClusterChoice =
  | { readonly kind: "local"; readonly why: string }
  | { readonly kind: "context"; readonly target: KubeTarget }
  | { readonly kind: "refused"; readonly target: KubeTarget; readonly why: string };

/**
 * The one rule for "looks like production": the context's name, its cluster's name or its
 * server's host name contains `prod`, `production` or `prd` as a whole word, where words are split
 * at every character that is not a letter or a digit and may end in digits: `prod`,
 * `gke_acme_europe-west1_prod-2`, `arn:aws:eks:...:cluster/production`, `api.prd1.example.com`
 * match; `product-demo`, `kind-kind`, `minikube`, `reproduce` do not. Returns the part that matched.
 */
export function looksLikeProduction(target: Pick<KubeTarget, "context" | "cluster" | "server">): string | undefined {
  const host = (server: string) => {
    try {
      return new URL(server).hostname;
    } catch {
      return server;
    }
  };
  const parts: Array<[string, string | undefined]> = [
    ["context", target.context],
    ["cluster", target.cluster],
    ["server", target.server === undefined ? undefined : host(target.server)],
  ];
  for (const [what, value] of parts) {
    if (value === undefined) continue;
    const word = value.split(/[^A-Za-z0-9]+/).find((w) => /^(prod|production|prd)\d*$/i.test(w));
    if (word) return `its ${what} name ${JSON.stringify(value)} contains "${word}"`;
  }
  return undefined;
}

/**
 * The local cluster when asked, when there is no context, or when the context is the local cluster
 * itself (its kubeconfig exported, as the end of a deploy suggests: it keeps its own state); else
 * the context, unless it looks like production.
 */
export function chooseCluster(target: KubeTarget | undefined, flags: ClusterFlags, local?: { readonly server: string }): ClusterChoice {
  if (flags.local) return { kind: "local", why: "--local was given" };
  if (!target) return { kind: "local", why: "there is no kube context (no current-context in $KUBECONFIG or ~/.kube/config)" };
  if (local && target.server === local.server)
    return { kind: "local", why: `the kube context ${JSON.stringify(target.context)} is the local cluster` };
  const production = looksLikeProduction(target);
  if (production && !flags.contextOk) {
    return {
      kind: "refused",
      target,
      why:
        `${describeTarget(target)} looks like production (${production}). ` +
        "The dev stack is not deployed there. Switch to a development context (kubectl config use-context ...), " +
        "pass --local for the project's local cluster, or pass --context-ok if this really is a development cluster.",
    };
  }
  return { kind: "context", target };
}

/** One line for the user: where the deploy goes. */
export function describeTarget(target: KubeTarget): string {
  return `kube context ${JSON.stringify(target.context)} (server ${target.server ?? "unknown"}; from ${target.source})`;
}

interface Kubeconfig {
  "current-context"?: string;
  contexts?: Array<{ name?: string; context?: { cluster?: string } }>;
  clusters?: Array<{ name?: string; cluster?: { server?: string } }>;
}

/** The dev stack's own `cluster` settings (context, kubeconfig), read from its stack file. */
export function stackClusterSettings(stackFile: string, project: string): { context?: string; kubeconfig?: string } {
  if (!fs.existsSync(stackFile)) return {};
  const doc = parse(fs.readFileSync(stackFile, "utf8")) ?? {};
  const cluster = doc.config?.[`${project}:cluster`] ?? {};
  return {
    context: typeof cluster.context === "string" ? cluster.context : undefined,
    kubeconfig: typeof cluster.kubeconfig === "string" ? cluster.kubeconfig : undefined,
  };
}

/**
 * The context a deploy would use, merged as kubectl merges: the files of $KUBECONFIG in order (the
 * first current-context, the first definition of each name), else ~/.kube/config; the stack's
 * `cluster.kubeconfig` (a path or the kubeconfig itself) and `cluster.context` win over both.
 * Undefined when no context is set or the named one is not defined.
 */
export function readKubeTarget(
  settings: { context?: string; kubeconfig?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
  home = os.homedir(),
): KubeTarget | undefined {
  let docs: Array<{ doc: Kubeconfig; source: string }>;
  if (settings.kubeconfig && /\n/.test(settings.kubeconfig)) {
    docs = [{ doc: parse(settings.kubeconfig) ?? {}, source: "the stack's cluster.kubeconfig setting" }];
  } else {
    const files = settings.kubeconfig
      ? [settings.kubeconfig]
      : env.KUBECONFIG
        ? env.KUBECONFIG.split(path.delimiter).filter((f) => f !== "")
        : [path.join(home, ".kube", "config")];
    docs = files.filter((f) => fs.existsSync(f)).map((f) => ({ doc: (parse(fs.readFileSync(f, "utf8")) ?? {}) as Kubeconfig, source: f }));
  }
  const context = settings.context ?? docs.map((d) => d.doc["current-context"]).find((c) => typeof c === "string" && c !== "");
  if (!context) return undefined;
  const ctx = docs.flatMap((d) => d.doc.contexts ?? []).find((c) => c.name === context);
  if (!ctx) return undefined;
  const cluster = ctx.context?.cluster;
  const server = docs.flatMap((d) => d.doc.clusters ?? []).find((c) => c.name === cluster)?.cluster?.server;
  return { context, cluster, server, source: docs.map((d) => d.source).join(path.delimiter) };
}

// `npm run cluster -- up|down|status`: the project's local Kubernetes cluster, the one
// `npm run deploy:dev` deploys to when there is no kube context (scripts/local-cluster.ts).
//   up      builds what is missing (with progress), starts the control plane, the node (DNS,
//           metrics, storage), imports the local images and starts the edge controller (Traefik,
//           cert-manager) when built; reuses whatever already runs. --no-build: stop instead of building.
//   down    stops all of it and removes the cluster and the dev stack's state for it, then checks
//           that no process, mount, network link or rule of it is left.
//   status  what runs, and the kubeconfig.
import { down, leftovers, localPaths, localStatus, up } from "./local-cluster";
import { duration, ToolError } from "./proc";

const say = (line: string) => console.log(`[cluster] ${line}`);

async function main(argv: string[]): Promise<number> {
  const p = localPaths();
  const started = Date.now();
  switch (argv[0]) {
    case "up": {
      await up({ build: !argv.includes("--no-build"), say });
      say(`ready in ${duration((Date.now() - started) / 1000)}`);
      console.log(`export KUBECONFIG=${p.kubeconfig}`);
      return 0;
    }
    case "down": {
      const left = down(say, p);
      if (left.length === 0) {
        say(`down in ${duration((Date.now() - started) / 1000)}: no process, mount, network link or rule of the local cluster is left`);
        return 0;
      }
      say(`still there after down:\n  ${left.join("\n  ")}`);
      return 1;
    }
    case "status": {
      const s = localStatus(p);
      say(`control plane: ${s.controlPlane ? `running (API server https://127.0.0.1:${p.apiPort})` : "stopped"}`);
      say(
        `node: ${s.node ? "running" : "stopped"}${!s.node && s.bridge ? " (but the bridge ape0 exists: another node, or one not stopped)" : ""}`,
      );
      if (s.controlPlane) say(`export KUBECONFIG=${p.kubeconfig}`);
      const left = s.controlPlane || s.node ? [] : leftovers(p);
      if (left.length > 0) say(`left over from an earlier run (npm run cluster -- down removes them):\n  ${left.join("\n  ")}`);
      return s.controlPlane && s.node ? 0 : 3;
    }
    default:
      console.error("usage: npm run cluster -- up [--no-build] | down | status");
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof ToolError) console.error(`[cluster] ${error.message}`);
    else console.error(error);
    process.exit(1);
  },
);

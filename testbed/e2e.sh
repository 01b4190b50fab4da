#!/usr/bin/env bash
# Real-engine tests against a throw-away local control plane built by testbed/engine/build.sh.
# Skips (exit 0, saying why) when the cached binaries are missing: the unit tests gate every
# change; this adds what mocks cannot show.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=engine/env.sh
source testbed/engine/env.sh

if ! engine_check controlplane kubectl; then
  echo "e2e SKIPPED: engine binaries missing ($ENGINE_MISSING) in $ENGINE_BIN; build them with testbed/engine/build.sh controlplane"
  exit 0
fi

# A private control plane on free loopback ports, so a developer's own cluster is never touched.
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
export APE_CLUSTER_DIR=${APE_CLUSTER_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ape-e2e-XXXXXX")}
export APE_APISERVER_PORT=${APE_APISERVER_PORT:-$(free_port)} APE_ETCD_PORT=${APE_ETCD_PORT:-$(free_port)} APE_ETCD_PEER_PORT=${APE_ETCD_PEER_PORT:-$(free_port)}
trap 'testbed/engine/cluster.sh stop --purge >/dev/null 2>&1 || true' EXIT
started=$(testbed/engine/cluster.sh start)
eval "$started"
export KUBECONFIG

# The CRDs the stack's edge objects need (Gateway API standard channel, Traefik's, cert-manager's:
# what README "Prerequisites" installs on a cluster), from the edge build when it has them; without
# them the API server does not know the Gateway, HTTPRoute, Middleware and Certificate kinds.
if [[ -s $ENGINE/edge/crds/cert-manager.yaml ]]; then
  for crds in "$ENGINE"/edge/crds/{gateway-api,traefik,cert-manager}.yaml; do
    kubectl apply --server-side --force-conflicts --field-manager=ape-edge -f "$crds" >/dev/null
    kubectl wait --for=condition=Established --timeout=60s -f "$crds" >/dev/null
  done
  echo "e2e: edge CRDs installed ($(cat "$ENGINE/edge/crds/gateway-api.version") Gateway API, Traefik, cert-manager)"
else
  # Without the edge build: CRDs made from the official schemas committed in testbed/schemas (a
  # stand-in for the official manifests, said so here and on each CRD).
  crds=$(mktemp)
  node -r ./testbed/harness/register.js testbed/schemas/edge-crds-manifest.ts >"$crds"
  kubectl apply --server-side --force-conflicts --field-manager=ape-edge -f "$crds" >/dev/null
  kubectl wait --for=condition=Established --timeout=60s -f "$crds" >/dev/null
  rm -f "$crds"
  echo "e2e: edge CRDs not built (testbed/engine/build.sh edge-crds): STAND-IN CRDs made from the official schemas in testbed/schemas/edge-crds.json"
fi

# Stage 2 (pulumi preview/up/destroy) needs the CLI, the language host and the kubernetes plugin.
if engine_check pulumi kubernetes node; then
  export APE_E2E_ENGINE=1
else
  echo "e2e stage 2 (Pulumi engine) SKIPPED: missing $ENGINE_MISSING in $ENGINE_BIN; build with testbed/engine/build.sh pulumi providers"
fi

# Stage 3 (a real node beside the control plane: testbed/e2e/node.e2e.ts) needs stage 2, root, the
# kubenode build and Debian's containerd, runc, iptables, ipset, nftables and conntrack.
node_skip=""
if [[ ${APE_E2E_ENGINE:-} != 1 ]]; then
  node_skip="needs the Pulumi engine of stage 2"
elif [[ $(id -u) != 0 ]]; then
  node_skip="needs root (containerd, kubelet, pod network)"
elif ! engine_check kubenode; then
  node_skip="missing $ENGINE_MISSING; build with testbed/engine/build.sh kubenode"
elif ! node_started=$(testbed/engine/cluster.sh node start 2>"$APE_CLUSTER_DIR/node-start.log"); then
  tail -n 40 "$APE_CLUSTER_DIR/node-start.log"
  node_skip="cluster.sh node start failed: $(grep -m1 ERROR "$APE_CLUSTER_DIR/node-start.log" || echo "see the log above")"
else
  eval "$node_started"
  export APE_E2E_NODE=1 APE_NODE_CLIENT_IMAGE APE_NODE_CHART_IMAGES
fi
if [[ -n $node_skip ]]; then
  echo "e2e stage 3 (node) SKIPPED: $node_skip"
  export APE_E2E_NODE_SKIP=$node_skip
fi

start=$(date +%s)
# Test files given as arguments run alone (npm run test:e2e -- testbed/e2e/floor.e2e.ts); else all of them.
spec=("testbed/e2e/**/*.e2e.ts")
for arg in "$@"; do [[ $arg == *.ts ]] && spec=(); done
# .mocharc.e2e.json sets `exit`: a process a fault test kills can leave a grandchild holding one of
# mocha's pipes, and mocha would then wait for it forever instead of reaching the cleanup trap.
npx mocha --config .mocharc.e2e.json "${spec[@]}" "$@"
echo "e2e wall time: $(( $(date +%s) - start )) s"

#!/usr/bin/env bash
# The edge without a node: a probe of the "edge" build (testbed/engine/build.sh edge) where no node
# can run (no root, or the machine's one node is taken). A throw-away control plane on private
# ports; Traefik and cert-manager's controller run as processes on this machine (Traefik with the
# token of the ServiceAccount and ClusterRole that cluster.sh node edge gives its pod, and the same
# arguments); the dev stack's objects, rendered by the real program under the mock engine with the
# edge e2e's settings (TLS from the CA issuer), are applied with kubectl; the API stand-in is
# python's http.server on ADDRESS:9898 behind a hand-made EndpointSlice (no pods run here). Prints
# what it sees: Gateway and route conditions, HTTPS verification, the redirect, the rate limit per
# client address (loopback sources 127.0.0.x), and a certificate renewal.
# NOT the node e2e (testbed/e2e/edge.e2e.ts): no pods, no Pod Security, no NetworkPolicy enforcement.
#
#   testbed/engine/edge-probe.sh [ADDRESS]    ADDRESS: a non-loopback address of this machine
#                                             (default: the first of `hostname -I`)
# Needs: the controlplane and edge builds, kubectl, curl, openssl, python3, node (npm ci done).
# Uses ports 8000, 8443, 8080 (Traefik) and 9898 (the stand-in) on all addresses.
set -uo pipefail
cd "$(dirname "$0")/../.."
ADDRESS=${1:-$(hostname -I | awk '{print $1}')}
export APE_CLUSTER_DIR=${APE_CLUSTER_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ape-edge-probe-XXXXXX")}
export APE_APISERVER_PORT=${APE_APISERVER_PORT:-26443} APE_ETCD_PORT=${APE_ETCD_PORT:-22379} APE_ETCD_PEER_PORT=${APE_ETCD_PEER_PORT:-22380}
# shellcheck source=env.sh
source testbed/engine/env.sh
engine_check controlplane edge || { echo "missing: $ENGINE_MISSING (testbed/engine/build.sh controlplane edge)"; exit 1; }
W=$APE_CLUSTER_DIR/probe
ts() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(ts)" 'BEGIN { printf "%.2f", b - a }'; }
PIDS=()
cleanup() {
  kill "${PIDS[@]}" 2>/dev/null
  sleep 1
  testbed/engine/cluster.sh stop --purge >/dev/null 2>&1
}
trap cleanup EXIT

eval "$(testbed/engine/cluster.sh start 2>/dev/null)" || { echo "control plane did not start"; exit 1; }
mkdir -p "$W"
for f in gateway-api traefik cert-manager; do
  kubectl apply --server-side --field-manager=ape-edge -f "$ENGINE/edge/crds/$f.yaml" >/dev/null &&
    kubectl wait --for=condition=Established -f "$ENGINE/edge/crds/$f.yaml" --timeout=60s >/dev/null || exit 1
done

# edge.sh's CA and objects (the Traefik Deployment among them stays Pending: no node).
DIR=$APE_CLUSTER_DIR
log() { echo "$*"; }
die() { echo "ERROR: $*"; exit 1; }
# shellcheck source=/dev/null
source <(sed -n '/^EDGE_DIR=/,/^EDGE_CONTROLLER=/p;/^edge_ca()/,/^}/p;/^edge_objects()/,/^}/p' testbed/engine/edge.sh)
edge_ca
edge_objects "ape.local/traefik:$TRAEFIK_VERSION" | kubectl apply --server-side --field-manager=ape-edge -f - >/dev/null || exit 1
"$ENGINE_BIN/cert-manager-controller" --kubeconfig="$KUBECONFIG" --cluster-resource-namespace="$CM_NS" >"$W/cert-manager.log" 2>&1 &
PIDS+=($!)
kubectl wait --for=condition=Ready "clusterissuer/$EDGE_ISSUER" --timeout=60s >/dev/null || exit 1
token=$(kubectl create token traefik -n "$EDGE_NS" --duration=1h)
providers=()
for p in kubernetesgateway kubernetescrd kubernetesingress; do
  providers+=("--providers.$p.endpoint=https://127.0.0.1:$APE_APISERVER_PORT" "--providers.$p.token=$token"
    "--providers.$p.certauthfilepath=$APE_CLUSTER_DIR/pki/ca.crt")
done
mapfile -t args < <(sed -n '/^          args:/,/^          ports:/p' testbed/engine/edge.sh | sed -n 's/^ *- \(--.*\)$/\1/p' |
  sed "s/\$EDGE_NS/$EDGE_NS/g; s/\$EDGE_CLASS/$EDGE_CLASS/g")
"$ENGINE_BIN/traefik" "${args[@]}" "${providers[@]}" >"$W/traefik.log" 2>&1 &
PIDS+=($!)
mkdir -p "$W/www" && echo '{"hostname": "api stand-in (python http.server)"}' >"$W/www/index.html"
(cd "$W/www" && exec python3 -m http.server 9898 --bind "$ADDRESS" >"$W/stand-in.log" 2>&1) &
PIDS+=($!)

t0=$(ts)
node -r ./testbed/harness/register.js -e '
  const { runProgram } = require("./testbed/harness/program");
  const { stackManifests } = require("./testbed/e2e/manifests");
  const set = Object.fromEntries(Object.entries(require("./testbed/e2e/node-kit").NODE_SETTINGS)
    .filter(([k]) => /^(postgresql|redis|prometheus|grafana)\./.test(k)));
  Object.assign(set, { "ingress.tls.mode": "cert-manager", "ingress.tls.issuer.kind": "ClusterIssuer", "ingress.tls.issuer.name": process.argv[1] });
  runProgram("dev", { set }).then((run) => console.log(JSON.stringify({ apiVersion: "v1", kind: "List", items: stackManifests(run) })));
' "$EDGE_ISSUER" >"$W/stack.json" || exit 1
kubectl apply --server-side --field-manager=ape-probe -f "$W/stack.json" >/dev/null || exit 1
kubectl apply -f - >/dev/null <<EOF
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: api-stand-in, namespace: ape-2026, labels: { kubernetes.io/service-name: api } }
addressType: IPv4
endpoints: [{ addresses: [$ADDRESS], conditions: { ready: true } }]
ports: [{ name: http, port: 9898, protocol: TCP }]
EOF
NS=ape-2026
kubectl -n $NS wait --for=condition=Ready certificate --all --timeout=60s >/dev/null && echo "Certificate Ready $(since "$t0") s after the stack's objects were applied"
kubectl -n $NS wait --for=condition=Programmed gateway --all --timeout=60s >/dev/null && echo "Gateway Programmed after $(since "$t0") s"
kubectl get gatewayclass "$EDGE_CLASS" -o jsonpath='{"GatewayClass "}{.metadata.name} ({.spec.controllerName}): {range .status.conditions[*]}{.type}={.status} {end}{"\n"}'
kubectl -n $NS get gateways -o jsonpath='{range .items[*]}Gateway {.metadata.name}: {range .status.conditions[*]}{.type}={.status} {end}{range .status.listeners[*]}| {.name}: {range .conditions[*]}{.type}={.status} {end}{end}{"\n"}{end}'
kubectl -n $NS get httproutes -o jsonpath='{range .items[*]}HTTPRoute {.metadata.name}: {range .status.parents[*].conditions[*]}{.type}={.status} {end}{"\n"}{end}'

H=$(kubectl -n $NS get httproute api -o jsonpath='{.spec.hostnames[0]}')
CA=$EDGE_DIR/ca.crt
client() { # SOURCE curl-args...: a client at 127.0.0.SOURCE, the name resolved to Traefik on loopback
  local src=$1
  shift
  curl -s --interface "127.0.0.$src" --resolve "$H:8443:127.0.0.1" --resolve "$H:8000:127.0.0.1" "$@"
}
for _ in $(seq 1 30); do [[ $(client 9 -o /dev/null -w '%{http_code}' --cacert "$CA" "https://$H:8443/") == 200 ]] && break; sleep 1; done
echo "HTTPS https://$H:8443/ verified against the node CA: $(client 9 -o /dev/null -w '%{http_code}' --cacert "$CA" "https://$H:8443/")"
client 9 -v -o /dev/null --cacert "$CA" "https://$H:8443/" 2>&1 | grep -E 'issuer:|subjectAltName:|certificate verify' | sed 's/^\* */  /'
client 9 -o /dev/null --cacert "$APE_CLUSTER_DIR/pki/ca.crt" "https://$H:8443/"
echo "  against another CA: curl exit $? (60: peer certificate cannot be authenticated)"
echo "HTTP http://$H:8000/version?x=1: $(client 9 -o /dev/null -w '%{http_code} Location %{redirect_url}' "http://$H:8000/version?x=1")"

burst=()
for _ in $(seq 1 130); do burst+=(-o /dev/null "https://$H:8443/"); done
rate() { # SOURCE LABEL: 130 requests on one connection, as fast as they come back
  local t
  t=$(ts)
  client "$1" --cacert "$CA" -w '%{http_code}\n' "${burst[@]}" >"$W/rate.txt"
  echo "$2: 130 requests in $(since "$t") s, first 429 at #$(grep -n 429 "$W/rate.txt" | head -1 | cut -d: -f1): $(sort "$W/rate.txt" | uniq -c | awk '{printf "%s x %s  ", $1, $2}')"
}
rate 1 "rate limit, client 127.0.0.1"
echo "  another client (127.0.0.2) right after: $(client 2 -o /dev/null -w '%{http_code}' --cacert "$CA" "https://$H:8443/")"
sleep 3
rate 1 "  the same client 127.0.0.1 after a 3 s pause"

serial() { echo | openssl s_client -connect 127.0.0.1:8443 -servername "$H" -CAfile "$CA" 2>/dev/null | openssl x509 -noout -serial | cut -d= -f2; }
secret=$(kubectl -n $NS get certificate -o jsonpath='{.items[0].spec.secretName}')
s1=$(serial)
t=$(ts)
kubectl -n $NS delete secret "$secret" >/dev/null
for _ in $(seq 1 240); do
  s2=$(kubectl -n $NS get secret "$secret" -o jsonpath='{.data.tls\.crt}' 2>/dev/null | base64 -d 2>/dev/null | openssl x509 -noout -serial 2>/dev/null | cut -d= -f2)
  [[ -n $s2 && $s2 != "$s1" ]] && break
  sleep 0.25
done
echo "renewal: Secret $secret deleted; a new certificate in it after $(since "$t") s (serial $s1 -> $s2)"
for _ in $(seq 1 240); do [[ $(serial) == "$s2" ]] && break; sleep 0.25; done
echo "  served by Traefik after $(since "$t") s (serial $(serial))"

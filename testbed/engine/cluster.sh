#!/usr/bin/env bash
# Local Kubernetes control plane (etcd + kube-apiserver + kube-controller-manager) on 127.0.0.1,
# built by testbed/engine/build.sh. Alone it has no nodes, no scheduler, no kubelet: objects are
# stored and garbage-collected, namespaces finalised, default service accounts created; pods never
# run. `node start` adds a real node (scheduler, workload controllers, kubelet; see node.sh).
#
#   testbed/engine/cluster.sh start     # prints "export KUBECONFIG=..." on success
#   testbed/engine/cluster.sh stop      # stops what start started (pid files); --purge removes the dir
#   testbed/engine/cluster.sh status
#   testbed/engine/cluster.sh node start|stop|status|outside ...   a node beside it (see node.sh)
#
# Env: APE_CLUSTER_DIR   work dir (certs, etcd data, logs, pids, kubeconfig);
#                        default ${TMPDIR:-/tmp}/ape-2026-cluster
#      APE_ETCD_PORT (2379), APE_ETCD_PEER_PORT (2380), APE_APISERVER_PORT (6443)
#      APE_KCM_CONTROLLERS (garbage-collector-controller,namespace-controller,serviceaccount-controller,
#                          persistentvolumeclaim-protection-controller,root-ca-certificate-publisher-controller)
#      APE_CLUSTER_TIMEOUT seconds to wait for readiness (120)
# Kubeconfig: $APE_CLUSTER_DIR/admin.kubeconfig (user admin in system:masters).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
source "$HERE/env.sh"
# shellcheck source=procs.sh
source "$HERE/procs.sh"

DIR=${APE_CLUSTER_DIR:-${TMPDIR:-/tmp}/ape-2026-cluster}
ETCD_PORT=${APE_ETCD_PORT:-2379}
ETCD_PEER_PORT=${APE_ETCD_PEER_PORT:-2380}
API_PORT=${APE_APISERVER_PORT:-6443}
CONTROLLERS=${APE_KCM_CONTROLLERS:-garbage-collector-controller,namespace-controller,serviceaccount-controller,persistentvolumeclaim-protection-controller,root-ca-certificate-publisher-controller}
TIMEOUT=${APE_CLUSTER_TIMEOUT:-120}
KUBECONFIG_FILE=$DIR/admin.kubeconfig
COMPONENTS=(kube-controller-manager kube-apiserver etcd) # stop order

log() { printf '%s [cluster] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The control plane's processes: pid files and logs in $DIR (procs.sh).
running() { proc_running "$DIR" "$1"; }
spawn() { proc_start "$DIR" "$@"; }      # NAME BINARY ARGS...
wait_for() { proc_wait "$DIR" 30 "$@"; } # WHAT COMPONENT CMD...

apicurl() {
  curl -fsS --max-time 5 --cacert "$DIR/pki/ca.crt" --cert "$DIR/pki/admin.crt" --key "$DIR/pki/admin.key" \
    "https://127.0.0.1:$API_PORT$1"
}

# cert NAME SUBJECT EXTENSIONS: a key pair + certificate signed by the cluster CA (kept if present)
cert() {
  local p=$DIR/pki
  [[ -f $p/$1.crt ]] && return 0
  (
    cd "$p"
    printf '%b\n' "$3" >"$1.ext"
    openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -out "$1.crt" -extfile "$1.ext"
  ) >>"$DIR/pki.log" 2>&1 || { cat "$DIR/pki.log" >&2; die "openssl failed for $1"; }
}

gen_pki() {
  local p=$DIR/pki
  mkdir -p "$p"
  if [[ ! -f $p/ca.crt ]]; then
    log "generating certificates in $p"
    (
      cd "$p"
      openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout ca.key -out ca.crt -subj /CN=ape-test-ca
      openssl genrsa -out sa.key 2048
      openssl rsa -in sa.key -pubout -out sa.pub
    ) >"$DIR/pki.log" 2>&1 || { cat "$DIR/pki.log" >&2; die "openssl failed"; }
  fi
  # 10.244.0.1: the node's address, which the node publishes as the kubernetes Service's endpoint
  # (node.sh), so a pod that scrapes the API server by its endpoint (Prometheus) checks this name.
  cert apiserver /CN=kube-apiserver \
    'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,IP:10.244.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth'
  cert admin '/O=system:masters/CN=admin' 'extendedKeyUsage=clientAuth'
  # The API server's identity towards kubelets (exec, logs) and towards aggregated APIs (metrics-server).
  cert kubelet-client '/O=system:masters/CN=kube-apiserver-kubelet-client' 'extendedKeyUsage=clientAuth'
  cert front-proxy-client /CN=front-proxy-client 'extendedKeyUsage=clientAuth'
}

write_kubeconfig() {
  b64() { base64 -w0 <"$1"; }
  cat >"$KUBECONFIG_FILE" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: ape-local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(b64 "$DIR/pki/ca.crt")
users:
- name: admin
  user:
    client-certificate-data: $(b64 "$DIR/pki/admin.crt")
    client-key-data: $(b64 "$DIR/pki/admin.key")
contexts:
- name: ape-local
  context:
    cluster: ape-local
    user: admin
    namespace: default
current-context: ape-local
EOF
  chmod 600 "$KUBECONFIG_FILE"
}

start() {
  engine_check controlplane || die "missing binaries: $ENGINE_MISSING (run testbed/engine/build.sh controlplane)"
  command -v openssl >/dev/null || die "openssl not found"
  command -v curl >/dev/null || die "curl not found"
  mkdir -p "$DIR"
  local c
  for c in "${COMPONENTS[@]}"; do running "$c" && die "$c already running (pid $(cat "$DIR/$c.pid")); stop first"; done
  gen_pki
  write_kubeconfig

  spawn etcd "$ENGINE_BIN/etcd" --name ape --data-dir "$DIR/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "ape=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync --quota-backend-bytes=2147483648 --log-level=warn
  wait_for "etcd health" etcd curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"

  # RBAC; ServiceAccount admission on, as on any cluster: pods get the projected token volume (bound
  # tokens from the TokenRequest API, which the kubelet asks for; the root CA ConfigMap comes from
  # the publisher controller below), which in-cluster clients (Prometheus, kube-state-metrics,
  # Grafana's sidecar) need; SA issuer + keys. The certificate names the kubernetes Service's IP.
  # endpoint-reconciler none: a 127.x address is not a valid endpoint of the kubernetes Service.
  # For "node start": the Node authorizer + NodeRestriction (a kubelet joins as system:node:<name>),
  # client certificates towards kubelets and aggregated APIs (metrics.k8s.io), which are reached at
  # their endpoints' addresses (aggregator routing), not through a Service IP.
  spawn kube-apiserver "$ENGINE_BIN/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
    --tls-cert-file="$DIR/pki/apiserver.crt" --tls-private-key-file="$DIR/pki/apiserver.key" \
    --client-ca-file="$DIR/pki/ca.crt" \
    --service-account-issuer="https://127.0.0.1:$API_PORT" \
    --service-account-key-file="$DIR/pki/sa.pub" --service-account-signing-key-file="$DIR/pki/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 \
    --authorization-mode=Node,RBAC --allow-privileged=true \
    --enable-admission-plugins=NodeRestriction \
    --kubelet-client-certificate="$DIR/pki/kubelet-client.crt" --kubelet-client-key="$DIR/pki/kubelet-client.key" \
    --kubelet-certificate-authority="$DIR/pki/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --proxy-client-cert-file="$DIR/pki/front-proxy-client.crt" --proxy-client-key-file="$DIR/pki/front-proxy-client.key" \
    --requestheader-client-ca-file="$DIR/pki/ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --enable-aggregator-routing=true --endpoint-reconciler-type=none
  wait_for "kube-apiserver /readyz" kube-apiserver apicurl /readyz

  spawn kube-controller-manager "$ENGINE_BIN/kube-controller-manager" \
    --kubeconfig="$KUBECONFIG_FILE" --leader-elect=false --secure-port=0 \
    --use-service-account-credentials=false --controllers="$CONTROLLERS" --root-ca-file="$DIR/pki/ca.crt"
  # The serviceaccount controller creates "default" in every namespace: proof that KCM works.
  if [[ ,$CONTROLLERS, == *,serviceaccount-controller,* ]]; then
    wait_for "default service account (kube-controller-manager)" kube-controller-manager \
      apicurl /api/v1/namespaces/default/serviceaccounts/default
  fi
  log "ready: $(apicurl /version | tr -d ' \n' | grep -o '"gitVersion":"[^"]*"')"
  echo "export KUBECONFIG=$KUBECONFIG_FILE"
}

stop() {
  local c
  if [[ -d $DIR/node ]]; then # a node first: it cleans up through the API server while that still runs
    # shellcheck source=node.sh
    source "$HERE/node.sh"
    node_stop
  fi
  for c in "${COMPONENTS[@]}"; do proc_stop "$DIR" "$c" 40; done # up to 10 s each
  if [[ ${1:-} == --purge && -d $DIR ]]; then
    rm -rf "$DIR"
    log "removed $DIR"
  fi
}

status() {
  local c rc=0
  for c in etcd kube-apiserver kube-controller-manager; do
    if running "$c"; then echo "$c running (pid $(cat "$DIR/$c.pid"))"; else echo "$c stopped"; rc=1; fi
  done
  [[ $rc == 0 ]] && apicurl /readyz >/dev/null 2>&1 && echo "apiserver ready; KUBECONFIG=$KUBECONFIG_FILE"
  return $rc
}

case ${1:-} in
  start) start ;;
  stop) stop "${2:-}" ;;
  status) status ;;
  node)
    # shellcheck source=node.sh
    source "$HERE/node.sh"
    node_main "${@:2}"
    ;;
  *) echo "usage: $0 start|stop [--purge]|status|node start|stop|status|outside ..." >&2; exit 2 ;;
esac

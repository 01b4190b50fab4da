# shellcheck shell=bash
# A Kubernetes node beside the local control plane; sourced by cluster.sh ("cluster.sh node ...").
#
#   cluster.sh node start    (prints "export APE_NODE_CLIENT_IMAGE=<the client/stand-in image>")
#                            containerd + kubelet (joined with a client certificate) + kube-proxy
#                            (nftables) + kube-router (NetworkPolicies) + kube-scheduler + the controllers
#                            a node needs + CoreDNS (a pod) + metrics-server + local-path provisioner
#   cluster.sh node stop     removes every pod sandbox, stops all of it, deletes the rules, mounts,
#                            bridge and network namespaces it added and restores the sysctls it set
#   cluster.sh node status
#   cluster.sh node outside start IP,IP,... PORT,PORT,...   stand-ins for addresses outside the
#                            cluster: a network namespace that owns IP... and answers on PORT...,
#                            reachable from pods only (policy routing on the pod bridge)
#   cluster.sh node outside stop
#   cluster.sh node edge start|stop|status   the Gateway API controller and cert-manager (edge.sh)
#
# Needs root, the "kubenode" build (testbed/engine/build.sh kubenode) and, from Debian: containerd,
# runc, iptables, ipset, nftables, conntrack, iproute2. One node per machine (fixed bridge name).
# Traffic stays on this machine: pods get addresses on a bridge of their own, nothing is masqueraded,
# an nftables fence drops anything routed between the pod bridge and any other interface (except the
# "outside" stand-ins), CoreDNS resolves the cluster domain only, and every image is local.
#
# Addresses: pods 10.244.0.0/24 on bridge ape0, whose 10.244.0.1 is the node's InternalIP (kubelet,
# metrics-server and a relay to the API server listen there); Services 10.0.0.0/24, DNS 10.0.0.10.
# Env: APE_NODE_NAME (ape-node).
# shellcheck disable=SC2034

NODE_NAME=${APE_NODE_NAME:-ape-node}
NODE_IP=10.244.0.1
POD_CIDR=10.244.0.0/24
CLUSTER_CIDR=10.244.0.0/16
SERVICE_CIDR=10.0.0.0/24
DNS_IP=10.0.0.10
BRIDGE=ape0
FENCE_TABLE=ape_node_fence
OUTSIDE_LINK=ape-o0
OUTSIDE_TABLE=2026
ND=$DIR/node
NODEK=$ENGINE/kubenode
SOCK=$ND/containerd.sock
# Stop order (reverse of start).
NODE_COMPONENTS=(local-path-provisioner metrics-server kube-router kube-proxy kubelet kcm-node kube-scheduler
  apiserver-relay containerd)
NODE_TOOLS=(containerd containerd-shim-runc-v2 runc ctr iptables ipset nft conntrack ip unshare nsenter)

kc() { "$ENGINE_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
# The node's processes: pid files and logs in $ND (procs.sh, sourced by cluster.sh).
nrunning() { proc_running "$ND" "$1"; }
nspawn() { proc_start "$ND" "$@"; }           # NAME CMD...
nwait() { proc_wait "$ND" 40 "$@"; }          # WHAT COMPONENT CMD... (COMPONENT may be empty)
node_stop_proc() { proc_stop "$ND" "$1" 60; } # NAME: up to 15 s

node_images() { # name -> ref, read from the image tarballs' manifests
  tar -xOf "$NODEK/images/$1.tar" manifest.json | jq -r '.[0].RepoTags[0]'
}

node_kubeconfig() { # NAME USER SERVER [TLS_SERVER_NAME]
  local b64
  b64() { base64 -w0 <"$1"; }
  cat >"$ND/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: ape-local
  cluster:
    server: $3
    certificate-authority-data: $(b64 "$DIR/pki/ca.crt")${4:+
    tls-server-name: $4}
users:
- name: $2
  user:
    client-certificate-data: $(b64 "$DIR/pki/$1.crt")
    client-key-data: $(b64 "$DIR/pki/$1.key")
contexts:
- name: ape-local
  context: {cluster: ape-local, user: $2}
current-context: ape-local
EOF
  chmod 600 "$ND/$1.kubeconfig"
}

node_preflight() {
  local t missing=""
  [[ $(id -u) == 0 ]] || die "node start needs root (containerd, kubelet, network setup)"
  engine_check controlplane kubectl kubenode || die "missing: $ENGINE_MISSING (run testbed/engine/build.sh controlplane kubenode)"
  for t in "${NODE_TOOLS[@]}"; do command -v "$t" >/dev/null || missing="$missing $t"; done
  [[ -z $missing ]] || die "missing tools:$missing (apt-get install containerd runc iptables ipset nftables conntrack iproute2)"
  if ! running kube-apiserver || ! apicurl /readyz >/dev/null 2>&1; then
    die "the control plane is not running (cluster.sh start first)"
  fi
  ! ip link show "$BRIDGE" >/dev/null 2>&1 || die "bridge $BRIDGE exists: a node is running or was not stopped (cluster.sh node stop)"
  for t in "${NODE_COMPONENTS[@]}"; do nrunning "$t" && die "$t already running; cluster.sh node stop first"; done
  grep -q ' /sys/fs/cgroup/cpu ' /proc/mounts || grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts || die "no cgroup hierarchy mounted"
  return 0
}

node_pki() {
  cert "$NODE_NAME-kubelet" "/O=system:nodes/CN=system:node:$NODE_NAME" 'extendedKeyUsage=clientAuth'
  cert kubelet-serving "/CN=$NODE_NAME" "subjectAltName=IP:$NODE_IP,DNS:$NODE_NAME\\nextendedKeyUsage=serverAuth"
  cert kube-proxy /CN=system:kube-proxy 'extendedKeyUsage=clientAuth'
  cert coredns /CN=ape:coredns 'extendedKeyUsage=clientAuth'
  cert metrics-server-serving /CN=metrics-server \
    "subjectAltName=IP:$NODE_IP,DNS:metrics-server.kube-system.svc\\nextendedKeyUsage=serverAuth"
  cp "$DIR/pki/$NODE_NAME-kubelet.crt" "$DIR/pki/kubelet.crt"
  cp "$DIR/pki/$NODE_NAME-kubelet.key" "$DIR/pki/kubelet.key"
  node_kubeconfig kubelet "system:node:$NODE_NAME" "https://127.0.0.1:$API_PORT"
  node_kubeconfig kube-proxy system:kube-proxy "https://127.0.0.1:$API_PORT"
  # CoreDNS runs in a pod: it reaches the API server through the relay on the node IP; the API
  # server's certificate names "kubernetes", not that address.
  node_kubeconfig coredns ape:coredns "https://$NODE_IP:6443" kubernetes
}

# Host network: the pod bridge (its address is the node IP), forwarding for Service traffic, and
# the fence. The sysctls are restored by "node stop".
node_network() {
  local k
  : >"$ND/sysctl.saved"
  for k in net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables; do
    echo "$k=$(sysctl -n "$k")" >>"$ND/sysctl.saved"
  done
  ls /run/netns 2>/dev/null >"$ND/netns.before" || true
  nft list tables >"$ND/nft-tables.before"
  ip link add "$BRIDGE" type bridge
  ip addr add "$NODE_IP/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
  nft -f - <<EOF
table inet $FENCE_TABLE {
  chain forward {
    type filter hook forward priority -200; policy accept;
    iifname "$BRIDGE" oifname != { "$BRIDGE", "$OUTSIDE_LINK" } counter drop comment "pods reach nothing off this machine"
    oifname "$BRIDGE" iifname != { "$BRIDGE", "$OUTSIDE_LINK" } counter drop comment "nothing off this machine reaches pods"
  }
}
EOF
  mkdir -p "$ND/cni/net.d" "$ND/cni/ipam"
  cat >"$ND/cni/net.d/10-ape.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "ape",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$ND/cni/ipam",
        "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$NODE_IP" }]], "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
}

node_containerd() {
  local img pause
  pause=$(node_images pause)
  mkdir -p "$ND/containerd"
  # restrict_oom_score_adj: this VM's root lacks CAP_SYS_RESOURCE, so the negative oom_score_adj the
  # CRI asks for pod sandboxes is refused; clamp it instead.
  cat >"$ND/containerd.toml" <<EOF
version = 2
root = "$ND/containerd/root"
state = "$ND/containerd/state"
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause"
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$NODEK/cni"
    conf_dir = "$ND/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$ND/runc"
        SystemdCgroup = false
[plugins."io.containerd.internal.v1.opt"]
  path = "$ND/containerd/opt"
EOF
  nspawn containerd containerd --config "$ND/containerd.toml"
  nwait "containerd socket" containerd ctr --address "$SOCK" version
  for img in pause podinfo client coredns; do
    ctr --address "$SOCK" -n k8s.io images import "$NODEK/images/$img.tar" >>"$ND/images.log" 2>&1 ||
      { cat "$ND/images.log" >&2; die "import of $img failed"; }
    log "imported $(node_images "$img")"
  done
  node_chart_images
}

# The chart images built by testbed/images/build.sh (its current fingerprint's tarballs), imported
# under the names the charts render so the kubelet never pulls them. Sets CHART_IMAGES to "ok" or
# to why they are absent; a missing cache is not an error (the chart pods then cannot start).
CHART_IMAGES="not imported"
node_chart_images() {
  local list name tar tags missing=()
  if ! list=$("$HERE/../images/build.sh" --list 2>>"$ND/images.log"); then
    CHART_IMAGES="testbed/images/build.sh --list failed (see $ND/images.log)"
    log "chart images skipped: $CHART_IMAGES"
    return 0
  fi
  while IFS=$'\t' read -r name tar tags; do
    [[ -f $tar ]] || { missing+=("$name"); continue; }
    ctr --address "$SOCK" -n k8s.io images import --all-platforms "$tar" >>"$ND/images.log" 2>&1 ||
      { cat "$ND/images.log" >&2; die "import of the chart image $name failed"; }
    log "imported chart image $name ($tags)"
  done <<<"$list"
  if ((${#missing[@]})); then
    CHART_IMAGES="images cache incomplete, missing ${missing[*]} (build with testbed/images/build.sh)"
    log "chart images: $CHART_IMAGES"
  else
    CHART_IMAGES=ok
  fi
}

node_kubelet() {
  mkdir -p "$ND/kubelet" "$ND/pod-logs"
  cat >"$ND/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
tlsCertFile: $DIR/pki/kubelet-serving.crt
tlsPrivateKeyFile: $DIR/pki/kubelet-serving.key
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $DIR/pki/ca.crt }
authorization: { mode: Webhook }
containerRuntimeEndpoint: unix://$SOCK
podLogsDir: $ND/pod-logs
# cgroup v1 is what this machine mounts; cgroupfs driver (no systemd here).
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupsPerQOS: true
enforceNodeAllocatable: []
failSwapOn: false
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
# Pods with dnsPolicy Default get no resolver: the host's would lead off the machine.
resolvConf: ""
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2% }
serializeImagePulls: false
syncFrequency: 10s
fileCheckFrequency: 0s
shutdownGracePeriod: 0s
EOF
  nspawn kubelet "$ENGINE_BIN/kubelet" --config="$ND/kubelet.yaml" --kubeconfig="$ND/kubelet.kubeconfig" \
    --root-dir="$ND/kubelet" --node-ip="$NODE_IP" --hostname-override="$NODE_NAME" --v=1
  nwait "node $NODE_NAME Ready" kubelet \
    sh -c "'$ENGINE_BIN/kubectl' --kubeconfig '$KUBECONFIG_FILE' get node '$NODE_NAME' \
      -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
}

node_proxy() {
  cat >"$ND/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
clientConnection: { kubeconfig: $ND/kube-proxy.kubeconfig }
hostnameOverride: $NODE_NAME
clusterCIDR: $CLUSTER_CIDR
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# NodePorts answer on the node IP only, never on the machine's own interfaces.
nodePortAddresses: [$NODE_IP/32]
# Leave the machine's conntrack settings as they are.
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
EOF
  nspawn kube-proxy "$ENGINE_BIN/kube-proxy" --config="$ND/kube-proxy.yaml" --v=1
  nwait "kube-proxy healthz" kube-proxy curl -fsS --max-time 2 http://127.0.0.1:10256/healthz
}

node_addons() {
  local coredns client ca
  coredns=$(node_images coredns)
  client=$(node_images client)
  ca=$(base64 -w0 <"$DIR/pki/ca.crt")
  mkdir -p "$ND/local-path" "$ND/local-path-shared"
  kc apply --server-side --field-manager=ape-node -f - >"$ND/addons.log" 2>&1 <<EOF || { cat "$ND/addons.log" >&2; die "addon objects"; }
apiVersion: v1
kind: List
items:
# --- CoreDNS: a pod (NetworkPolicies allow DNS to pods labelled k8s-app=kube-dns in kube-system)
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: { name: "ape:coredns" }
  rules:
  - { apiGroups: [""], resources: [endpoints, services, pods, namespaces], verbs: [list, watch] }
  - { apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch] }
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata: { name: "ape:coredns" }
  roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "ape:coredns" }
  subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: "ape:coredns" }]
- apiVersion: v1
  kind: Secret
  metadata: { name: coredns-kubeconfig, namespace: kube-system }
  data: { kubeconfig: $(base64 -w0 <"$ND/coredns.kubeconfig") }
- apiVersion: v1
  kind: ConfigMap
  metadata: { name: coredns, namespace: kube-system }
  data:
    Corefile: |
      .:53 {
          errors
          health :8080
          ready :8181
          kubernetes cluster.local in-addr.arpa ip6.arpa {
              kubeconfig /etc/coredns-kube/kubeconfig ape-local
              pods insecure
              fallthrough in-addr.arpa ip6.arpa
          }
          cache 30
          loadbalance
      }
- apiVersion: apps/v1
  kind: Deployment
  metadata: { name: coredns, namespace: kube-system, labels: { k8s-app: kube-dns } }
  spec:
    replicas: 1
    selector: { matchLabels: { k8s-app: kube-dns, ape.local/dns: coredns } }
    template:
      metadata: { labels: { k8s-app: kube-dns, ape.local/dns: coredns } }
      spec:
        dnsPolicy: Default
        priorityClassName: system-cluster-critical
        containers:
        - name: coredns
          image: $coredns
          imagePullPolicy: Never
          args: [-conf, /etc/coredns/Corefile]
          ports:
          - { name: dns, containerPort: 53, protocol: UDP }
          - { name: dns-tcp, containerPort: 53, protocol: TCP }
          readinessProbe: { httpGet: { path: /ready, port: 8181 }, periodSeconds: 2 }
          livenessProbe: { httpGet: { path: /health, port: 8080 }, periodSeconds: 10 }
          resources: { requests: { cpu: 20m, memory: 32Mi }, limits: { memory: 128Mi } }
          volumeMounts:
          - { name: config, mountPath: /etc/coredns, readOnly: true }
          - { name: kube, mountPath: /etc/coredns-kube, readOnly: true }
        volumes:
        - { name: config, configMap: { name: coredns } }
        - { name: kube, secret: { secretName: coredns-kubeconfig } }
- apiVersion: v1
  kind: Service
  metadata: { name: kube-dns, namespace: kube-system, labels: { k8s-app: kube-dns } }
  spec:
    clusterIP: $DNS_IP
    # The exact CoreDNS pods: stand-in pods with the label k8s-app=kube-dns (NetworkPolicy e2e) stay out.
    selector: { k8s-app: kube-dns, ape.local/dns: coredns }
    ports:
    - { name: dns, port: 53, protocol: UDP, targetPort: 53 }
    - { name: dns-tcp, port: 53, protocol: TCP, targetPort: 53 }
# --- the kubernetes Service (its endpoint reconciler is off: 127.0.0.1 is no valid endpoint): the
# relay on the node IP, so in-cluster clients reach the API server at 10.0.0.1:443
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata:
    name: kubernetes-node
    namespace: default
    labels: { kubernetes.io/service-name: kubernetes, endpointslice.kubernetes.io/managed-by: ape-node }
  addressType: IPv4
  endpoints: [{ addresses: [$NODE_IP], conditions: { ready: true } }]
  ports: [{ name: https, port: 6443, protocol: TCP }]
# --- metrics-server: a process on the node IP, registered as the metrics.k8s.io API
- apiVersion: v1
  kind: Service
  metadata: { name: metrics-server, namespace: kube-system }
  spec: { ports: [{ name: https, port: 443, targetPort: 4443, protocol: TCP }] }
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata:
    name: metrics-server-node
    namespace: kube-system
    labels: { kubernetes.io/service-name: metrics-server, endpointslice.kubernetes.io/managed-by: ape-node }
  addressType: IPv4
  endpoints: [{ addresses: [$NODE_IP], conditions: { ready: true } }]
  ports: [{ name: https, port: 4443, protocol: TCP }]
- apiVersion: apiregistration.k8s.io/v1
  kind: APIService
  metadata: { name: v1beta1.metrics.k8s.io }
  spec:
    group: metrics.k8s.io
    version: v1beta1
    service: { name: metrics-server, namespace: kube-system, port: 443 }
    caBundle: $ca
    groupPriorityMinimum: 100
    versionPriority: 100
# --- local-path provisioner: a process; its helper pods (client image: a shell) make the directories
- apiVersion: v1
  kind: Namespace
  metadata: { name: local-path-storage }
- apiVersion: v1
  kind: ServiceAccount
  metadata: { name: local-path-provisioner, namespace: local-path-storage }
- apiVersion: v1
  kind: ConfigMap
  metadata: { name: local-path-config, namespace: local-path-storage }
  data:
    config.json: |
      {"storageClassConfigs": {
        "local-path": {"nodePathMap": [{"node": "DEFAULT_PATH_FOR_NON_LISTED_NODES", "paths": ["$ND/local-path"]}]},
        "local-path-shared": {"sharedFileSystemPath": "$ND/local-path-shared"}}}
    setup: |
      #!/bin/sh
      set -eu
      mkdir -m 0777 -p "\$VOL_DIR"
    teardown: |
      #!/bin/sh
      set -eu
      rm -rf "\$VOL_DIR"
    helperPod.yaml: |
      apiVersion: v1
      kind: Pod
      metadata: { name: helper-pod }
      spec:
        priorityClassName: system-node-critical
        containers:
        - { name: helper-pod, image: $client, imagePullPolicy: Never }
- apiVersion: storage.k8s.io/v1
  kind: StorageClass
  metadata:
    name: local-path
    annotations: { storageclass.kubernetes.io/is-default-class: "true" }
  provisioner: rancher.io/local-path
  volumeBindingMode: WaitForFirstConsumer
  reclaimPolicy: Delete
# ReadWriteMany: a directory all pods share (one node: the node's own filesystem is that shared
# filesystem), for volumes that several replicas of a Deployment mount.
- apiVersion: storage.k8s.io/v1
  kind: StorageClass
  metadata: { name: local-path-shared }
  provisioner: rancher.io/local-path
  volumeBindingMode: Immediate
  reclaimPolicy: Delete
EOF
  kc get configmap local-path-config -n local-path-storage -o jsonpath='{.data.config\.json}' >"$ND/local-path.json"
  nspawn metrics-server "$ENGINE_BIN/metrics-server" --kubeconfig="$KUBECONFIG_FILE" \
    --authentication-kubeconfig="$KUBECONFIG_FILE" --authorization-kubeconfig="$KUBECONFIG_FILE" \
    --bind-address="$NODE_IP" --secure-port=4443 --cert-dir="$ND/metrics-server" \
    --tls-cert-file="$DIR/pki/metrics-server-serving.crt" --tls-private-key-file="$DIR/pki/metrics-server-serving.key" \
    --kubelet-preferred-address-types=InternalIP --kubelet-certificate-authority="$DIR/pki/ca.crt" \
    --metric-resolution=15s
  nspawn local-path-provisioner "$ENGINE_BIN/local-path-provisioner" start --kubeconfig="$KUBECONFIG_FILE" \
    --config="$ND/local-path.json" --namespace=local-path-storage --configmap-name=local-path-config \
    --service-account-name=local-path-provisioner --helper-image="$client" --provisioner-name=rancher.io/local-path
  nwait "CoreDNS Ready" "" kc wait -n kube-system --for=condition=Available deployment/coredns --timeout=5s
  nwait "metrics.k8s.io Available" metrics-server kc wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=5s
}

# The API server relay for pods, kube-scheduler and the controllers a node's workloads need (the
# control plane runs GC, namespaces and service accounts only). node-ipam gives the node its podCIDR
# (the first /24 of the cluster CIDR = the bridge's subnet).
node_controllers() {
  nspawn apiserver-relay "$ENGINE_BIN/nettool" forward --listen "$NODE_IP:6443" --to "127.0.0.1:$API_PORT"
  nspawn kube-scheduler "$ENGINE_BIN/kube-scheduler" --kubeconfig="$KUBECONFIG_FILE" --leader-elect=false \
    --secure-port=0 --v=1
  nspawn kcm-node "$ENGINE_BIN/kube-controller-manager" --kubeconfig="$KUBECONFIG_FILE" --leader-elect=false \
    --secure-port=0 --use-service-account-credentials=false --controllers="$(printf '%s-controller,' deployment \
      replicaset statefulset daemonset job endpoints endpointslice endpointslice-mirroring disruption \
      horizontal-pod-autoscaler persistentvolume-binder persistentvolume-protection persistentvolumeclaim-protection \
      node-lifecycle node-ipam pod-garbage-collector ttl taint-eviction | sed 's/,$//')" \
    --allocate-node-cidrs=true --cluster-cidr="$CLUSTER_CIDR" --node-cidr-mask-size-ipv4=24 \
    --service-cluster-ip-range="$SERVICE_CIDR" --horizontal-pod-autoscaler-sync-period=10s --v=1
}

node_enforcer() {
  nspawn kube-router "$ENGINE_BIN/kube-router" --kubeconfig="$KUBECONFIG_FILE" --hostname-override="$NODE_NAME" \
    --run-firewall=true --run-router=false --run-service-proxy=false --enable-cni=false \
    --service-cluster-ip-range="$SERVICE_CIDR" --health-port=20244 --metrics-port=0 --v=1
  nwait "kube-router healthz" kube-router curl -fsS --max-time 2 http://127.0.0.1:20244/healthz
}

node_start() {
  node_preflight
  mkdir -p "$ND"
  node_pki
  node_network
  node_containerd
  node_controllers
  node_kubelet
  node_proxy
  node_enforcer
  node_addons
  log "node $NODE_NAME ready: $(kc get node "$NODE_NAME" \
    -o jsonpath='{.status.nodeInfo.kubeletVersion} {.status.nodeInfo.containerRuntimeVersion}')"
  echo "export APE_NODE_CLIENT_IMAGE=$(node_images client)"
  echo "export APE_NODE_CHART_IMAGES=${CHART_IMAGES@Q}"
}

# iptables chains named KUBE-* (kubelet's canaries and KUBE-FIREWALL, kube-router's policy chains,
# anything kube-proxy left): the jumps to them, then the chains; kube-router's ipsets; then the
# nftables tables that did not exist before "node start" (kube-proxy's, the fence, the iptables-nft
# tables the kubelet created).
node_rules_cleanup() {
  local cmd table rule chain chains t
  for cmd in iptables ip6tables; do
    for table in filter nat mangle raw; do
      "$cmd" -t "$table" -S >/dev/null 2>&1 || continue
      while IFS= read -r rule; do
        eval "$cmd -t $table -D ${rule#-A }" 2>/dev/null || true
      done < <("$cmd" -t "$table" -S 2>/dev/null | grep -E -- '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*-j KUBE-')
      chains=$("$cmd" -t "$table" -S 2>/dev/null | awk '/^-N KUBE-/{print $2}')
      for chain in $chains; do "$cmd" -t "$table" -F "$chain" 2>/dev/null || true; done
      for chain in $chains; do "$cmd" -t "$table" -X "$chain" 2>/dev/null || true; done
    done
  done
  # kube-router's ipsets (pod and policy address sets), once no rule refers to them.
  for t in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router-)' || true); do ipset destroy "$t" 2>/dev/null || true; done
  nft delete table inet "$FENCE_TABLE" 2>/dev/null || true
  if [[ -f $ND/nft-tables.before ]]; then
    while IFS= read -r t; do
      # shellcheck disable=SC2086 # "table FAMILY NAME": family and name are two words
      grep -qxF "$t" "$ND/nft-tables.before" || nft delete $t 2>/dev/null || true
    done < <(nft list tables)
  fi
}

node_stop() {
  local c pid m ns
  [[ -d $ND ]] || { log "no node in $DIR"; node_outside_stop; return 0; }
  edge_stop_proc # cert-manager, if "node edge start" ran: a process of its own beside the node's
  node_stop_proc kubelet
  # Every pod sandbox through the CRI: stops containers, runs CNI DEL, removes network namespaces.
  if [[ -S $SOCK ]] && nrunning containerd; then
    "$ENGINE_BIN/crictl" --runtime-endpoint "unix://$SOCK" --timeout 30s rmp --all --force >>"$ND/stop.log" 2>&1 ||
      log "crictl rmp failed (see $ND/stop.log)"
  fi
  for c in "${NODE_COMPONENTS[@]}"; do node_stop_proc "$c"; done
  # containerd leaves its shims running on exit; they were started for our socket only.
  for pid in $(pgrep -f -- "-address $SOCK" || true); do kill -KILL "$pid" 2>/dev/null && log "killed shim $pid"; done
  # Rules of kube-proxy, then everything named KUBE-* and the tables added since start. (Not
  # "kube-router --cleanup-config": besides its own rules it deletes every IPVS service on the machine.)
  "$ENGINE_BIN/kube-proxy" --cleanup >>"$ND/stop.log" 2>&1 || true
  node_rules_cleanup
  # Mounts below the node dir (pod volumes, container root filesystems, shm), deepest first.
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v d="$ND/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r)
  # Network namespaces left by sandboxes that crictl could not remove (only ones created since start).
  if [[ -f $ND/netns.before ]]; then
    for ns in /run/netns/cni-*; do
      [[ -e $ns ]] && ! grep -qx "${ns##*/}" "$ND/netns.before" && { umount -l "$ns" 2>/dev/null; rm -f "$ns"; }
    done
  fi
  ip link delete "$BRIDGE" 2>/dev/null || true
  node_outside_stop
  if [[ -f $ND/sysctl.saved ]]; then
    while IFS= read -r c; do sysctl -qw "$c" || true; done <"$ND/sysctl.saved"
    rm -f "$ND/sysctl.saved"
  fi
  # Cgroups the kubelet made for QoS classes (empty once the pods are gone).
  for m in /sys/fs/cgroup/*/kubepods; do [[ -d $m ]] && find "$m" -depth -type d -exec rmdir {} + 2>/dev/null; done
  rm -f /var/lib/cni/results/ape-* 2>/dev/null || true
  if running kube-apiserver && apicurl /readyz >/dev/null 2>&1; then
    kc delete node "$NODE_NAME" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  fi
  log "node stopped"
}

node_status() {
  local c rc=0
  for c in "${NODE_COMPONENTS[@]}"; do
    if nrunning "$c"; then echo "$c running (pid $(cat "$ND/$c.pid"))"; else echo "$c stopped"; rc=1; fi
  done
  if [[ $rc == 0 ]]; then kc get node "$NODE_NAME" -o wide; fi
  return $rc
}

# Stand-ins for addresses outside the cluster (a cloud metadata server, the internet, a private
# host): a network namespace owning those addresses, answering on the given ports. Only traffic
# that arrives from the pod bridge is routed there (its own routing table), so the machine's own
# traffic to those addresses is unaffected. The namespace belongs to the nettool process (unshare),
# not to "ip netns add": that would turn /run/netns into a bind mount of itself and hide the pods'
# namespaces from containerd.
own_netns() { [[ $(readlink "/proc/$1/ns/net") != "$(readlink /proc/self/ns/net)" ]]; }
node_outside_start() {
  local ips=${1:?IP list} ports=${2:?port list} ip pid
  [[ -d $ND ]] || die "no node running"
  nspawn outside unshare --net -- "$ENGINE_BIN/nettool" serve --tcp "$ports" --udp "$ports"
  pid=$(cat "$ND/outside.pid")
  nwait "outside network namespace" outside own_netns "$pid"
  ip link add "$OUTSIDE_LINK" type veth peer name ape-o1 netns "$pid"
  ip addr add 100.64.255.1/30 dev "$OUTSIDE_LINK"
  ip link set "$OUTSIDE_LINK" up
  nsenter -t "$pid" -n ip addr add 100.64.255.2/30 dev ape-o1
  nsenter -t "$pid" -n ip link set lo up
  nsenter -t "$pid" -n ip link set ape-o1 up
  nsenter -t "$pid" -n ip route add default via 100.64.255.1
  for ip in ${ips//,/ }; do
    nsenter -t "$pid" -n ip addr add "$ip/32" dev lo
    ip route add "$ip/32" via 100.64.255.2 table "$OUTSIDE_TABLE"
  done
  ip rule add iif "$BRIDGE" lookup "$OUTSIDE_TABLE" pref "$OUTSIDE_TABLE"
}

node_outside_stop() {
  node_stop_proc outside 2>/dev/null || true # its network namespace and the veth pair go with it
  ip rule del pref "$OUTSIDE_TABLE" 2>/dev/null || true
  ip route flush table "$OUTSIDE_TABLE" 2>/dev/null || true
  ip link delete "$OUTSIDE_LINK" 2>/dev/null || true
}

node_main() {
  case ${1:-} in
    start) node_start ;;
    stop) node_stop ;;
    status) node_status ;;
    outside)
      case ${2:-} in
        start) node_outside_start "${3:-}" "${4:-}" ;;
        stop) node_outside_stop ;;
        *) die "usage: cluster.sh node outside start IPS PORTS | stop" ;;
      esac
      ;;
    edge) edge_main "${@:2}" ;;
    *) echo "usage: cluster.sh node start|stop|status|outside|edge" >&2; exit 2 ;;
  esac
}

# shellcheck source=edge.sh
source "$HERE/edge.sh"

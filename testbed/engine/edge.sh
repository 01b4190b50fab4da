# shellcheck shell=bash
# The edge of the local cluster: a Gateway API controller and cert-manager on the node; sourced by
# node.sh ("cluster.sh node edge start|stop|status"). Needs a running node and the "edge" build
# (testbed/engine/build.sh edge).
#
#   cluster.sh node edge start   installs the CRDs (Gateway API standard channel, Traefik's, cert-manager's),
#                                runs Traefik as a pod (Deployment traefik in namespace traefik, label
#                                app.kubernetes.io/name=traefik, restricted Pod Security) serving
#                                GatewayClass "traefik", Traefik's CRDs (Middleware) and IngressClass
#                                "traefik", on entry points web :8000 and websecure :8443; runs
#                                cert-manager's controller; makes a CA for the node and the
#                                ClusterIssuer ape-2026-local-ca that signs with it. Prints
#                                "export APE_EDGE_CA=<the CA certificate>" and the controller's pod IP.
#   cluster.sh node edge stop    stops cert-manager and removes Traefik, the issuer and their
#                                namespaces (the CRDs stay: deleting them would delete every object
#                                of theirs, the stack's included); "node stop" stops cert-manager too.
#   cluster.sh node edge status
#
# cert-manager's controller runs as a process on the machine with the admin kubeconfig, like the
# node's other controllers (a test bed shortcut: in a real cluster it is a pod with its own RBAC).
# No webhook runs (none is registered): the CRDs' schemas validate, nothing defaults or converts.

EDGE_DIR=$DIR/edge # the CA (ca.crt readable by the tests; ca.key) and the controller's logs
EDGE_CACHE=$ENGINE/edge
EDGE_NS=traefik
CM_NS=cert-manager
EDGE_ISSUER=ape-2026-local-ca
EDGE_CLASS=traefik
EDGE_CONTROLLER=traefik.io/gateway-controller

edge_image() { tar -xOf "$EDGE_CACHE/images/traefik.tar" manifest.json | jq -r '.[0].RepoTags[0]'; }

# The node's CA for the edge: an ECDSA P-256 CA kept in the cluster dir across starts.
edge_ca() {
  mkdir -p "$EDGE_DIR"
  [[ -f $EDGE_DIR/ca.crt ]] && return 0
  (
    cd "$EDGE_DIR"
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key
    openssl req -x509 -new -key ca.key -days 3650 -out ca.crt -subj "/O=ape-2026 test bed/CN=ape-2026 local edge CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    chmod 600 ca.key
  ) >"$EDGE_DIR/ca.log" 2>&1 || { cat "$EDGE_DIR/ca.log" >&2; die "openssl failed for the edge CA"; }
}

edge_objects() {
  local image=$1
  cat <<EOF
apiVersion: v1
kind: List
items:
# --- cert-manager: its namespace holds the ClusterIssuer's CA key pair
- apiVersion: v1
  kind: Namespace
  metadata: { name: $CM_NS }
- apiVersion: v1
  kind: Secret
  metadata: { name: $EDGE_ISSUER, namespace: $CM_NS }
  type: kubernetes.io/tls
  data:
    tls.crt: $(base64 -w0 <"$EDGE_DIR/ca.crt")
    tls.key: $(base64 -w0 <"$EDGE_DIR/ca.key")
- apiVersion: cert-manager.io/v1
  kind: ClusterIssuer
  metadata: { name: $EDGE_ISSUER }
  spec: { ca: { secretName: $EDGE_ISSUER } }
# --- Traefik
- apiVersion: v1
  kind: Namespace
  metadata:
    name: $EDGE_NS
    labels:
      pod-security.kubernetes.io/enforce: restricted
      pod-security.kubernetes.io/warn: restricted
- apiVersion: v1
  kind: ServiceAccount
  metadata: { name: traefik, namespace: $EDGE_NS }
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: { name: "ape:traefik" }
  rules:
  # What the three providers read: routes and their backends, the Secrets of TLS listeners.
  - apiGroups: [""]
    resources: [services, endpoints, secrets, namespaces, nodes, configmaps]
    verbs: [get, list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [get, list, watch]
  - apiGroups: [gateway.networking.k8s.io]
    resources: [gatewayclasses, gateways, httproutes, grpcroutes, tcproutes, tlsroutes, udproutes,
      referencegrants, backendtlspolicies, listenersets]
    verbs: [get, list, watch]
  # ... and where it reports what it accepted.
  - apiGroups: [gateway.networking.k8s.io]
    resources: [gatewayclasses/status, gateways/status, httproutes/status, grpcroutes/status,
      tcproutes/status, tlsroutes/status, udproutes/status, backendtlspolicies/status, listenersets/status]
    verbs: [update, patch]
  - apiGroups: [traefik.io]
    resources: ["*"]
    verbs: [get, list, watch]
  - apiGroups: [networking.k8s.io]
    resources: [ingresses, ingressclasses]
    verbs: [get, list, watch]
  - apiGroups: [networking.k8s.io]
    resources: [ingresses/status]
    verbs: [update, patch]
  - apiGroups: ["", events.k8s.io]
    resources: [events]
    verbs: [create, patch]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata: { name: "ape:traefik" }
  roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "ape:traefik" }
  subjects: [{ kind: ServiceAccount, name: traefik, namespace: $EDGE_NS }]
- apiVersion: gateway.networking.k8s.io/v1
  kind: GatewayClass
  metadata: { name: $EDGE_CLASS }
  spec: { controllerName: $EDGE_CONTROLLER }
- apiVersion: networking.k8s.io/v1
  kind: IngressClass
  metadata: { name: $EDGE_CLASS }
  spec: { controller: traefik.io/ingress-controller }
- apiVersion: v1
  kind: Service
  metadata: { name: traefik, namespace: $EDGE_NS }
  spec:
    selector: { app.kubernetes.io/name: traefik }
    ports:
    - { name: web, port: 80, targetPort: web, protocol: TCP }
    - { name: websecure, port: 443, targetPort: websecure, protocol: TCP }
- apiVersion: apps/v1
  kind: Deployment
  metadata: { name: traefik, namespace: $EDGE_NS, labels: { app.kubernetes.io/name: traefik } }
  spec:
    replicas: 1
    selector: { matchLabels: { app.kubernetes.io/name: traefik } }
    template:
      metadata: { labels: { app.kubernetes.io/name: traefik } }
      spec:
        serviceAccountName: traefik
        terminationGracePeriodSeconds: 5
        securityContext:
          runAsNonRoot: true
          runAsUser: 65532
          runAsGroup: 65532
          seccompProfile: { type: RuntimeDefault }
        containers:
        - name: traefik
          image: $image
          imagePullPolicy: Never
          args:
          - --entryPoints.web.address=:8000
          - --entryPoints.websecure.address=:8443
          - --entryPoints.traefik.address=:8080
          - --ping=true
          - --ping.entryPoint=traefik
          - --providers.kubernetesgateway=true
          - --providers.kubernetesgateway.statusaddress.service.name=traefik
          - --providers.kubernetesgateway.statusaddress.service.namespace=$EDGE_NS
          - --providers.kubernetescrd=true
          - --providers.kubernetesingress=true
          - --providers.kubernetesingress.ingressclass=$EDGE_CLASS
          - --providers.kubernetesingress.ingressendpoint.publishedservice=$EDGE_NS/traefik
          - --log.level=INFO
          - --global.checkNewVersion=false
          - --global.sendAnonymousUsage=false
          ports:
          - { name: web, containerPort: 8000, protocol: TCP }
          - { name: websecure, containerPort: 8443, protocol: TCP }
          - { name: ping, containerPort: 8080, protocol: TCP }
          readinessProbe: { httpGet: { path: /ping, port: ping }, periodSeconds: 2 }
          livenessProbe: { httpGet: { path: /ping, port: ping }, periodSeconds: 10 }
          resources: { requests: { cpu: 50m, memory: 64Mi }, limits: { memory: 256Mi } }
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL] }
          volumeMounts: [{ name: tmp, mountPath: /tmp }]
        volumes: [{ name: tmp, emptyDir: {} }]
EOF
}

edge_start() {
  local f image pod
  [[ -d $ND ]] && nrunning kubelet || die "no node running (cluster.sh node start first)"
  engine_check edge || die "missing: $ENGINE_MISSING (run testbed/engine/build.sh edge)"
  nrunning cert-manager && die "cert-manager already running; cluster.sh node edge stop first"
  image=$(edge_image)
  ctr --address "$SOCK" -n k8s.io images import "$EDGE_CACHE/images/traefik.tar" >>"$ND/images.log" 2>&1 ||
    { cat "$ND/images.log" >&2; die "import of $image failed"; }
  log "imported $image"
  for f in gateway-api traefik cert-manager; do
    kc apply --server-side --force-conflicts --field-manager=ape-edge -f "$EDGE_CACHE/crds/$f.yaml" >"$ND/edge-crds.log" 2>&1 ||
      { cat "$ND/edge-crds.log" >&2; die "CRDs of $f"; }
    kc wait --for=condition=Established --timeout=60s -f "$EDGE_CACHE/crds/$f.yaml" >/dev/null || die "CRDs of $f not Established"
  done
  log "CRDs installed: Gateway API $(cat "$EDGE_CACHE/crds/gateway-api.version") (standard), Traefik $TRAEFIK_VERSION, cert-manager $CERT_MANAGER_VERSION"
  edge_ca
  edge_objects "$image" | kc apply --server-side --force-conflicts --field-manager=ape-edge -f - >"$EDGE_DIR/objects.log" 2>&1 ||
    { cat "$EDGE_DIR/objects.log" >&2; die "edge objects"; }
  nspawn cert-manager "$ENGINE_BIN/cert-manager-controller" --kubeconfig="$KUBECONFIG_FILE" \
    --cluster-resource-namespace="$CM_NS"
  nwait "ClusterIssuer $EDGE_ISSUER Ready" cert-manager \
    kc wait --for=condition=Ready "clusterissuer/$EDGE_ISSUER" --timeout=5s
  nwait "Traefik Available" "" kc wait -n "$EDGE_NS" --for=condition=Available deployment/traefik --timeout=5s
  nwait "GatewayClass $EDGE_CLASS Accepted" "" kc wait --for=condition=Accepted "gatewayclass/$EDGE_CLASS" --timeout=5s
  pod=$(kc get pods -n "$EDGE_NS" -l app.kubernetes.io/name=traefik -o jsonpath='{.items[0].status.podIP}')
  log "edge ready: Traefik $TRAEFIK_VERSION at $pod (:8000 web, :8443 websecure), cert-manager $CERT_MANAGER_VERSION, ClusterIssuer $EDGE_ISSUER"
  echo "export APE_EDGE_CA=$EDGE_DIR/ca.crt"
  echo "export APE_EDGE_ISSUER=$EDGE_ISSUER"
  echo "export APE_EDGE_ADDRESS=$pod"
}

# The cert-manager process only (node stop: the pods go with the node).
edge_stop_proc() { node_stop_proc cert-manager; }

edge_stop() {
  edge_stop_proc
  if running kube-apiserver && apicurl /readyz >/dev/null 2>&1; then
    kc delete namespace "$EDGE_NS" "$CM_NS" --ignore-not-found --wait=true --timeout=60s >/dev/null 2>&1 ||
      log "namespaces $EDGE_NS, $CM_NS not gone after 60 s"
    kc delete "clusterissuer/$EDGE_ISSUER" "gatewayclass/$EDGE_CLASS" "ingressclass/$EDGE_CLASS" \
      clusterrole/ape:traefik clusterrolebinding/ape:traefik --ignore-not-found >/dev/null 2>&1 || true
  fi
  log "edge stopped"
}

edge_status() {
  local rc=0
  if nrunning cert-manager; then echo "cert-manager running (pid $(cat "$ND/cert-manager.pid"))"; else echo "cert-manager stopped"; rc=1; fi
  if kc wait -n "$EDGE_NS" --for=condition=Available deployment/traefik --timeout=1s >/dev/null 2>&1; then
    echo "traefik Available ($(kc get pods -n "$EDGE_NS" -l app.kubernetes.io/name=traefik -o jsonpath='{.items[0].status.podIP}'))"
  else
    echo "traefik not available"
    rc=1
  fi
  return $rc
}

edge_main() {
  case ${1:-} in
    start) edge_start ;;
    stop) edge_stop ;;
    status) edge_status ;;
    *) echo "usage: cluster.sh node edge start|stop|status" >&2; exit 2 ;;
  esac
}

# shellcheck shell=bash
# Environment of the offline engine built by testbed/engine/build.sh.
#
#   source testbed/engine/env.sh            # sets ENGINE, ENGINE_BIN, PATH, PULUMI_* defaults
#   engine_check controlplane pulumi kubernetes || echo "missing: $ENGINE_MISSING"
#   testbed/engine/env.sh [GROUP...]        # executed: prints the missing binaries, exit 0 = all present
#
# GROUPs: controlplane (etcd kube-apiserver kube-controller-manager), kubectl, pulumi (pulumi
# pulumi-language-nodejs), kubernetes, random, tls (the pulumi-resource-* plugins), node (node >= 22),
# all, kubenode (a Kubernetes node: kubelet and its neighbours, CNI plugins, images; not in "all"),
# edge (Traefik, cert-manager's controller, their CRDs and Traefik's image; in neither).
# Default: controlplane pulumi kubernetes.
# Nothing here starts anything or touches the network.

_engine_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.sh
source "$_engine_here/versions.sh"

ENGINE_ROOT=${APE_ENGINE_CACHE:-$HOME/.cache/ape-2026-engine}
ENGINE_FP=$(engine_fingerprint)
ENGINE=$ENGINE_ROOT/$ENGINE_FP
ENGINE_BIN=$ENGINE/bin
export ENGINE ENGINE_BIN ENGINE_FP

# $ENGINE_BIN also holds "node" (node@22 from npm, a symlink made by build.sh node) so it wins over
# an older system node.
case ":$PATH:" in *":$ENGINE_BIN:"*) ;; *) PATH=$ENGINE_BIN:$PATH ;; esac
export PATH

# Offline pulumi: plugins come from PATH (ambient), never downloaded; no update check.
export PULUMI_SKIP_UPDATE_CHECK=${PULUMI_SKIP_UPDATE_CHECK:-true}
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION:-true}

_engine_group() {
  case $1 in
    controlplane) echo etcd kube-apiserver kube-controller-manager ;;
    kubectl) echo kubectl ;;
    pulumi) echo pulumi pulumi-language-nodejs ;;
    kubernetes | random | tls) echo "pulumi-resource-$1" ;;
    node) echo node ;;
    kubenode) echo kubelet kube-proxy kube-scheduler kube-router metrics-server local-path-provisioner coredns \
      crictl nettool cni/bridge cni/host-local cni/loopback cni/portmap \
      images/pause.tar images/podinfo.tar images/client.tar images/coredns.tar ;;
    edge) echo traefik cert-manager-controller edge/crds/gateway-api.yaml edge/crds/traefik.yaml \
      edge/crds/cert-manager.yaml edge/images/traefik.tar ;;
    all) echo etcd kube-apiserver kube-controller-manager kubectl pulumi pulumi-language-nodejs \
      pulumi-resource-kubernetes pulumi-resource-random pulumi-resource-tls node ;;
    *) echo "$1" ;;
  esac
}

# engine_check [GROUP...]: returns 0 if every binary of the groups is present; sets ENGINE_MISSING.
engine_check() {
  local g b major
  ENGINE_MISSING=""
  [[ $# -gt 0 ]] || set -- controlplane pulumi kubernetes
  for g in "$@"; do
    for b in $(_engine_group "$g"); do
      if [[ $b == node ]]; then
        major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
        [[ $major -ge 22 ]] || ENGINE_MISSING="$ENGINE_MISSING node>=22"
      elif [[ $b == kubectl ]]; then
        command -v kubectl >/dev/null || ENGINE_MISSING="$ENGINE_MISSING kubectl"
      elif [[ $b == edge/* ]]; then # artifacts of the edge build
        [[ -s $ENGINE/$b ]] || ENGINE_MISSING="$ENGINE_MISSING $b"
      elif [[ $b == */* ]]; then # artifacts of the kubenode build
        [[ -s $ENGINE/kubenode/$b ]] || ENGINE_MISSING="$ENGINE_MISSING $b"
      else
        [[ -x $ENGINE_BIN/$b ]] || ENGINE_MISSING="$ENGINE_MISSING $b"
      fi
    done
  done
  ENGINE_MISSING=${ENGINE_MISSING# }
  [[ -z $ENGINE_MISSING ]]
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  if engine_check "$@"; then
    echo "engine $ENGINE_FP: all present ($ENGINE_BIN)"
    exit 0
  fi
  echo "engine $ENGINE_FP: missing: $ENGINE_MISSING (run testbed/engine/build.sh)" >&2
  exit 1
fi

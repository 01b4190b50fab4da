# shellcheck shell=bash disable=SC2034
# Version pins of the offline engine (sourced by build.sh and env.sh).
# Changing any pin (a variable listed in ENGINE_VERSION_VARS) changes the fingerprint => a new cache dir.
# Every module below is fetched from the Go module proxy; nothing upstream is vendored here.
ENGINE_RECIPE=1                       # bump when the build recipe changes in a way that needs a rebuild

# --- control plane ---
K8S_VERSION=v1.36.3                   # k8s.io/kubernetes
K8S_STAGING_VERSION=v0.36.3           # k8s.io/{api,apiserver,client-go,...} staging modules
ETCD_VERSION=v3.6.16                  # go.etcd.io/etcd/server/v3 (+ api, client/pkg, client/v3, pkg)

# --- pulumi CLI + nodejs language host ---
PULUMI_VERSION=v3.274.1               # github.com/pulumi/pulumi/pkg/v3 + sdk/v3 (>= npm @pulumi/pulumi 3.270.0)
# The language host is its own module since ~v3.70 and the proxy refuses it (403 for every version).
# Before that it lived inside sdk/v3: the newest served sdk/v3 that still contains it is v3.68.0.
LANGHOST_SDK_VERSION=v3.68.0          # github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs

# --- resource providers ---
# pulumi-kubernetes/provider/v4 is untagged; the proxy serves only this pseudo-version (= v4.25.0 release).
K8S_PROVIDER_MODULE=v4.0.0-20260115033456-f47bc2d6f199
K8S_PROVIDER_VERSION=4.25.0
K8S_PROVIDER_SDK=v4.29.0              # pulumi-kubernetes/sdk/v4 (4.24/4.25 not served; provider needs >= 4.24.0)
# sdk/v4 v4.29.0 pulls pulumi sdk/v3 v3.226.0, which no longer fits the provider's pkg/v3 v3.215.0
# (plugin.NewContextWithRoot signature); pkg/v3 v3.225.1 is the served release that fits sdk v3.226.
K8S_PROVIDER_PULUMI_PKG=v3.225.1
# pulumi-random/provider/v4 is refused by the proxy: we bridge the upstream TF provider ourselves.
TF_RANDOM_MODULE=v1.3.2-0.20260513075824-f8d869dc98d9   # github.com/terraform-providers/terraform-provider-random
TF_BRIDGE_VERSION=v3.120.0            # github.com/pulumi/pulumi-terraform-bridge/v3 (newest served)
# The bridge's own replace (pulumi fork of terraform-plugin-sdk/v2, 2025-09) lacks GenerateResourceConfig,
# which terraform-plugin-go v0.31.0 (required by TF random) demands; this newer fork is served and has it.
TF_PLUGIN_SDK_FORK=v2.0.0-20260318212141-5525259d096b   # github.com/pulumi/terraform-plugin-sdk/v2
RANDOM_PROVIDER_VERSION=4.21.2        # version we stamp; npm @pulumi/random pin
# pulumi-tls/provider/v5 and hashicorp/terraform-provider-tls are refused by the proxy.
TLS_PROVIDER_VERSION=5.6.1            # npm @pulumi/tls pin; our own stand-in, see README

# --- node for pulumi programs (@pulumi/pulumi 3.270 needs node >= 22): npm package node@NODE_VERSION
NODE_VERSION=22

ENGINE_VERSION_VARS="ENGINE_RECIPE NODE_VERSION K8S_VERSION K8S_STAGING_VERSION ETCD_VERSION PULUMI_VERSION LANGHOST_SDK_VERSION K8S_PROVIDER_MODULE K8S_PROVIDER_VERSION K8S_PROVIDER_SDK K8S_PROVIDER_PULUMI_PKG TF_RANDOM_MODULE TF_BRIDGE_VERSION TF_PLUGIN_SDK_FORK RANDOM_PROVIDER_VERSION TLS_PROVIDER_VERSION"

# engine_fingerprint: 12 hex chars over the pins above (the Go version used is recorded in the report).
engine_fingerprint() {
  local v
  for v in $ENGINE_VERSION_VARS; do printf '%s=%s\n' "$v" "${!v}"; done | sha256sum | cut -c1-12
}

# --- a Kubernetes node beside the control plane (build.sh kubenode; cluster.sh node).
# NOT part of the fingerprint (not in ENGINE_VERSION_VARS): each artifact is stamped with its own pin,
# so changing one of these rebuilds that artifact only and never the control plane or Pulumi.
# kubelet, kube-proxy and kube-scheduler come from the control plane's K8S_VERSION.
CNI_PLUGINS_VERSION=v1.10.0           # github.com/containernetworking/plugins (bridge, host-local, loopback, portmap)
KUBE_ROUTER_VERSION=v2.1.0            # github.com/cloudnativelabs/kube-router/v2: the NetworkPolicy enforcer
KNP_VERSION=v0.8.0                    # sigs.k8s.io/kube-network-policies: built and probed; needs nft "queue" (see README)
METRICS_SERVER_VERSION=v0.9.0         # sigs.k8s.io/metrics-server
LOCAL_PATH_VERSION=v0.0.30            # github.com/rancher/local-path-provisioner
CRICTL_VERSION=v1.36.0                # sigs.k8s.io/cri-tools: crictl, to stop and remove pod sandboxes on "node stop"
COREDNS_VERSION=v1.15.0               # github.com/coredns/coredns (own main with the plugins a cluster DNS needs)
# podinfo has no module-compatible tags: this pseudo-version is commit e86405a8674e, whose
# pkg/version says 6.9.2 (the tag Pulumi.dev.yaml names).
PODINFO_MODULE=v1.8.1-0.20250910200901-e86405a8674e

# --- the edge (build.sh edge; cluster.sh node edge): a Gateway API controller and cert-manager.
# NOT part of the fingerprint either: each artifact is stamped with its own pin.
TRAEFIK_VERSION=v3.7.13               # github.com/traefik/traefik/v3 (cmd/traefik); its go.mod names the
                                      # sigs.k8s.io/gateway-api release whose standard CRDs are installed
# Traefik's go.mod replaces github.com/abbot/go-http-auth with github.com/containous/go-http-auth at
# v0.4.1-0.20260804094822-b975dcaa8c48, which the proxy refuses; this is the fork's served revision.
TRAEFIK_HTTP_AUTH_FORK=v0.4.1-0.20200324110947-a37a7636d23e
CERT_MANAGER_VERSION=v1.21.2          # github.com/cert-manager/cert-manager (controllers + CRDs; own main)

# --- the current Node.js language host, from source (build.sh pulumi-language-nodejs).
# NOT part of the fingerprint (like the node pins above): the host binary is stamped on its own, so
# switching between this host and the v3.68.0 one rebuilds that binary only. The proxy refuses the
# host's module, so its source (sdk/nodejs/cmd/pulumi-language-nodejs of this pulumi/pulumi tag, the
# tests left out) is copied from a git clone into a source cache outside the repository and checked
# against the hash below; its dependencies come from the proxy, pkg/v3 and sdk/v3 at the same tag.
# Without that source, build.sh builds the v3.68.0 host, which cannot run policy packs.
LANGHOST_VERSION=v3.259.0
LANGHOST_SOURCE_SHA256=ec482a8329572d30738886854b3f54100f5e9b7affe1766ca1653c3146e9bcf2

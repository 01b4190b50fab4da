#!/usr/bin/env bash
# Build the offline engine (Kubernetes control plane + Pulumi CLI, language host and providers)
# from the Go module proxy into a cache outside the repository.
#
#   testbed/engine/build.sh [all|controlplane|pulumi|providers|kubenode|edge|TARGET...]   (default: all)
#
# Output:  ${APE_ENGINE_CACHE:-$HOME/.cache/ape-2026-engine}/<fingerprint>/bin/
#          .../<fingerprint>/build-report.tsv   (binary, version, status, seconds, bytes, detail)
# Work:    ${APE_ENGINE_WORK:-$APE_ENGINE_CACHE/work}  (generated wrapper modules + one log per binary)
# Idempotent: a binary whose stamp matches its pinned version is skipped.
# A binary that fails is recorded (with the error) in the report; the others are still built.
# Exit code: 0 if every requested binary is present afterwards, 1 otherwise.
# Build functions are called indirectly (build_$name):
# shellcheck disable=SC2317
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.sh
source "$HERE/versions.sh"

[[ -x /usr/local/go/bin/go ]] && PATH=/usr/local/go/bin:$PATH
export PATH CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local
GOBUILD=(go build -trimpath -p 2)

FP=$(engine_fingerprint)
ENGINE_ROOT=${APE_ENGINE_CACHE:-$HOME/.cache/ape-2026-engine}
ENGINE=$ENGINE_ROOT/$FP
BIN=$ENGINE/bin
STAMPS=$ENGINE/stamps
REPD=$ENGINE/report.d
WORK=${APE_ENGINE_WORK:-$ENGINE_ROOT/work} # shared by fingerprints: each wrapper is keyed by its pins
LOGS=$WORK/logs
mkdir -p "$BIN" "$STAMPS" "$REPD" "$LOGS"

log() { printf '%s [engine] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

# ---------------------------------------------------------------- helpers

# gomod_of MOD@VER -> path of the downloaded go.mod
gomod_of() { go mod download -json "$1" | jq -r '.GoMod // error(.Error)'; }

# restate_replaces MOD@VER: copy every "X => Y vN" replace of that module's go.mod into ours
# (replaces of dependencies are ignored by Go; "X => ../path" ones are turned into requires by the caller).
restate_replaces() {
  local gm r
  gm=$(gomod_of "$1")
  while IFS= read -r r; do
    [[ -n $r ]] && go mod edit -replace "$r"
  done < <(go mod edit -json "$gm" | jq -r '(.Replace // [])[] | select(.New.Version != null)
      | "\(.Old.Path)\(if .Old.Version then "@"+.Old.Version else "" end)=\(.New.Path)@\(.New.Version)"')
}

# new_module DIR MODPATH: fresh wrapper module (removes the old one)
new_module() {
  rm -rf "$1" && mkdir -p "$1" && cd "$1"
  go mod init "$2" >/dev/null 2>&1
  go mod edit -go=1.26
}

# prepared GROUP KEY: true if group dir was prepared with the same KEY; mark_prepared GROUP KEY
prepared() { [[ -f $WORK/$1/.prepared && $(cat "$WORK/$1/.prepared") == "$2" ]]; }
mark_prepared() { printf '%s' "$2" >"$WORK/$1/.prepared"; }

# ---------------------------------------------------------------- control plane

prep_etcd() {
  local key="etcd $ETCD_VERSION"
  prepared etcd "$key" && { cd "$WORK/etcd"; return; }
  new_module "$WORK/etcd" local.test/engine-etcd
  restate_replaces "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  # server/go.mod replaces its sibling modules with ../paths: require the same release instead.
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" "go.etcd.io/etcd/api/v3@$ETCD_VERSION" \
    "go.etcd.io/etcd/client/pkg/v3@$ETCD_VERSION" "go.etcd.io/etcd/client/v3@$ETCD_VERSION" \
    "go.etcd.io/etcd/pkg/v3@$ETCD_VERSION"
  go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  go mod tidy
  mark_prepared etcd "$key"
}
build_etcd() {
  prep_etcd
  "${GOBUILD[@]}" -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION" \
    -o "$BIN/etcd" go.etcd.io/etcd/server/v3
}

prep_kube() {
  local key="kube $K8S_VERSION $K8S_STAGING_VERSION" gm m
  prepared kube "$key" && { cd "$WORK/kube"; return; }
  new_module "$WORK/kube" local.test/engine-kube
  gm=$(gomod_of "k8s.io/kubernetes@$K8S_VERSION")
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging/src/...;
  # point each at its published release instead (the list changes per release, so read it).
  for m in $(awk '$2=="=>" && $3 ~ /^\.\/staging\/src\//{print $1}' "$gm"); do
    go mod edit -replace "$m=$m@$K8S_STAGING_VERSION"
  done
  restate_replaces "k8s.io/kubernetes@$K8S_VERSION"
  grep '^godebug' "$gm" >>go.mod || true
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@$K8S_VERSION" "k8s.io/kubernetes/cmd/kubectl@$K8S_VERSION"
  go mod tidy
  mark_prepared kube "$key"
}
kube_ldflags() {
  local p minor ld="-s -w"
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  # Mandatory: unstamped /version reports v0.0.0-master (pulumi-kubernetes then treats the cluster as < 1.24).
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ld="$ld -X $p.gitTreeState=clean -X $p.buildDate=2026-01-01T00:00:00Z"
  done
  echo "$ld"
}
build_kube() { # $1 = kube-apiserver | kube-controller-manager | kubectl
  prep_kube
  "${GOBUILD[@]}" -ldflags "$(kube_ldflags)" -o "$BIN/$1" "k8s.io/kubernetes/cmd/$1"
}
build_kube-apiserver() { build_kube kube-apiserver; }
build_kube-controller-manager() { build_kube kube-controller-manager; }
build_kubectl() { build_kube kubectl; }

# ---------------------------------------------------------------- pulumi CLI + language host

prep_cli() {
  local key="cli $PULUMI_VERSION"
  prepared cli "$key" && { cd "$WORK/cli"; return; }
  new_module "$WORK/cli" local.test/engine-cli
  restate_replaces "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION"
  restate_replaces "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION"
  go get "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION"
  go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION"
  go mod tidy
  mark_prepared cli "$key"
}
build_pulumi() {
  prep_cli
  # Stamp with the leading v: an unstamped CLI reports an empty version.
  "${GOBUILD[@]}" -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    -o "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

prep_langhost() {
  local key="langhost $LANGHOST_SDK_VERSION"
  prepared langhost "$key" && { cd "$WORK/langhost"; return; }
  new_module "$WORK/langhost" local.test/engine-langhost
  restate_replaces "github.com/pulumi/pulumi/sdk/v3@$LANGHOST_SDK_VERSION"
  go get -tool "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs@$LANGHOST_SDK_VERSION"
  go mod tidy
  mark_prepared langhost "$key"
}
build_pulumi-language-nodejs() {
  [[ $LANGHOST_FROM_SOURCE == 1 ]] && { build_langhost_source; return; }
  prep_langhost
  "${GOBUILD[@]}" -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGHOST_SDK_VERSION" \
    -o "$BIN/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
}

# The current language host (it runs policy packs: `pulumi preview --policy-pack`; v3.68.0 answers
# "not supported"). Its module is refused by the proxy, so its source comes from a source cache
# outside the repository, filled from a pulumi/pulumi git clone named by APE_PULUMI_GIT; its
# dependencies come from the proxy. Without the source, the v3.68.0 host above is built.
SOURCES=${APE_ENGINE_SOURCES:-$ENGINE_ROOT/sources}
LANGHOST_PATH=sdk/nodejs/cmd/pulumi-language-nodejs
LANGHOST_SRC=$SOURCES/pulumi-language-nodejs-$LANGHOST_VERSION

# dir_sha256 DIR: one hash over the paths and contents of every file in DIR
dir_sha256() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-64; }

# fill_langhost_source: copy the host's files (not its tests) at LANGHOST_VERSION from $APE_PULUMI_GIT.
fill_langhost_source() {
  local tmp files
  [[ -d $LANGHOST_SRC || -z ${APE_PULUMI_GIT:-} ]] && return 0
  mkdir -p "$SOURCES" && tmp=$(mktemp -d "$SOURCES/.fill-XXXXXX") || return 1
  mapfile -t files < <(git -C "$APE_PULUMI_GIT" ls-tree "$LANGHOST_VERSION" "$LANGHOST_PATH/" 2>/dev/null |
    awk '$2 == "blob" && $4 !~ /_test\.go$/ { print $4 }')
  if [[ ${#files[@]} -gt 0 ]] && git -C "$APE_PULUMI_GIT" archive "$LANGHOST_VERSION" "${files[@]}" |
    tar -x -C "$tmp" --strip-components=4; then
    chmod 755 "$tmp" && mv "$tmp" "$LANGHOST_SRC"
  else
    rm -rf "$tmp"
    log "no $LANGHOST_PATH at $LANGHOST_VERSION in $APE_PULUMI_GIT" >&2
  fi
}

LANGHOST_FROM_SOURCE=0
LANGHOST_STAMP=$LANGHOST_SDK_VERSION
fill_langhost_source || true
if [[ -d $LANGHOST_SRC && $(dir_sha256 "$LANGHOST_SRC") == "$LANGHOST_SOURCE_SHA256" ]]; then
  LANGHOST_FROM_SOURCE=1
  LANGHOST_STAMP=$LANGHOST_VERSION+source.${LANGHOST_SOURCE_SHA256:0:12}
elif [[ " ${*:-all} " =~ \ (all|pulumi|pulumi-language-nodejs)\  ]]; then
  if [[ -d $LANGHOST_SRC ]]; then
    log "$LANGHOST_SRC does not match LANGHOST_SOURCE_SHA256: remove it and fill it again" >&2
  fi
  log "pulumi-language-nodejs: building the $LANGHOST_SDK_VERSION host (no policy packs); for the $LANGHOST_VERSION" \
    "host, fetch its source: git clone --bare --depth 1 --branch $LANGHOST_VERSION" \
    "https://github.com/pulumi/pulumi pulumi.git, then APE_PULUMI_GIT=\$PWD/pulumi.git $0 pulumi-language-nodejs" >&2
fi

prep_langhost_source() {
  local key="langhost-source $LANGHOST_VERSION $LANGHOST_SOURCE_SHA256"
  prepared langhost-source "$key" && { cd "$WORK/langhost-source"; return; }
  rm -rf "$WORK/langhost-source" && mkdir -p "$WORK/langhost-source" && cd "$WORK/langhost-source"
  cp -r "$LANGHOST_SRC"/. . && chmod -R u+w .
  # Upstream points pkg/v3 and sdk/v3 at the checkout's own directories: require the same release of
  # both from the proxy instead (and the replaces that release declares). A newer sdk does not fit:
  # its ResourceMonitor service has methods the host's monitor proxy lacks.
  go mod edit -dropreplace github.com/pulumi/pulumi/pkg/v3 -dropreplace github.com/pulumi/pulumi/sdk/v3
  restate_replaces "github.com/pulumi/pulumi/pkg/v3@$LANGHOST_VERSION"
  restate_replaces "github.com/pulumi/pulumi/sdk/v3@$LANGHOST_VERSION"
  go get "github.com/pulumi/pulumi/pkg/v3@$LANGHOST_VERSION" "github.com/pulumi/pulumi/sdk/v3@$LANGHOST_VERSION"
  go mod tidy
  mark_prepared langhost-source "$key"
}
build_langhost_source() {
  prep_langhost_source
  "${GOBUILD[@]}" -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGHOST_VERSION" \
    -o "$BIN/pulumi-language-nodejs" .
}

# Dynamic providers only: runs the dynamic-provider entry point of the program's own @pulumi/pulumi.
build_pulumi-resource-pulumi-nodejs() {
  cat >"$BIN/pulumi-resource-pulumi-nodejs" <<'SH'
#!/bin/sh
# Generated by testbed/engine/build.sh: Pulumi dynamic-provider plugin for Node.js programs; runs
# the dynamic-provider entry point of the @pulumi/pulumi that the program (cwd) resolves.
script=${PULUMI_NODEJS_DYNAMIC_PROVIDER:-$(node -e "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")} || exit 1
exec node "$script" "$@"
SH
  chmod 755 "$BIN/pulumi-resource-pulumi-nodejs"
}

# node >= 22 from the npm registry (package node@22 ships the official binary); symlinked into bin/.
build_node() {
  rm -rf "$ENGINE/node$NODE_VERSION"
  npm install --no-audit --no-fund --prefix "$ENGINE/node$NODE_VERSION" "node@$NODE_VERSION"
  ln -sfn "$ENGINE/node$NODE_VERSION/node_modules/node/bin/node" "$BIN/node"
  "$BIN/node" --version
}

# ---------------------------------------------------------------- providers

K8S_PROVIDER_MOD=github.com/pulumi/pulumi-kubernetes/provider/v4
prep_k8sprovider() {
  local key="k8sprovider $K8S_PROVIDER_MODULE $K8S_PROVIDER_SDK $K8S_PROVIDER_PULUMI_PKG $K8S_PROVIDER_VERSION" dir
  prepared k8sprovider "$key" && { cd "$WORK/k8sprovider"; return; }
  new_module "$WORK/k8sprovider" local.test/engine-k8sprovider
  restate_replaces "$K8S_PROVIDER_MOD@$K8S_PROVIDER_MODULE"
  # upstream: replace sdk/v4 => ../sdk  -> require a served sdk release instead
  go get "$K8S_PROVIDER_MOD@$K8S_PROVIDER_MODULE" "github.com/pulumi/pulumi-kubernetes/sdk/v4@$K8S_PROVIDER_SDK" \
    "github.com/pulumi/pulumi/pkg/v3@$K8S_PROVIDER_PULUMI_PKG"
  dir=$(go list -m -f '{{.Dir}}' "$K8S_PROVIDER_MOD")/cmd/pulumi-resource-kubernetes
  mkdir -p cmd/pulumi-resource-kubernetes
  # Upstream main embeds gitignored generated files (absent from the module zip): generate them
  # from the committed inputs the way upstream's generate.go does (schema .version = release).
  jq --arg v "$K8S_PROVIDER_VERSION" '.version = $v' "$dir/schema.json" >cmd/pulumi-resource-kubernetes/schema-embed.json
  install -m644 "$dir/terraform-mapping.json" cmd/pulumi-resource-kubernetes/terraform-mapping-embed.json
  # Our own main, mirroring the upstream main of this release (v4.25: Serve takes 4 arguments).
  cat >cmd/pulumi-resource-kubernetes/main.go <<'GO'
// Generated by testbed/engine/build.sh: main of pulumi-resource-kubernetes (upstream main embeds
// files generated at release time, which the module zip lacks).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
GO
  go mod tidy
  mark_prepared k8sprovider "$key"
}
build_pulumi-resource-kubernetes() {
  prep_k8sprovider
  "${GOBUILD[@]}" -ldflags "-s -w -X $K8S_PROVIDER_MOD/pkg/version.Version=$K8S_PROVIDER_VERSION" \
    -o "$BIN/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
}

# pulumi-random: the proxy refuses github.com/pulumi/pulumi-random/provider/v4, so we bridge the
# upstream Terraform provider (served) with the Terraform bridge (served) and our own ProviderInfo:
# the standard token mapping random_foo_bar -> random:index/fooBar:FooBar is what @pulumi/random uses.
prep_random() {
  local key="random-3 $TF_RANDOM_MODULE $TF_BRIDGE_VERSION $TF_PLUGIN_SDK_FORK $RANDOM_PROVIDER_VERSION"
  prepared random "$key" && { cd "$WORK/random"; return; }
  new_module "$WORK/random" local.test/engine-random
  # shim module: its path sits under the upstream module path, so it may import .../internal/provider.
  mkdir -p shim provider cmd/pulumi-tfgen-random cmd/pulumi-resource-random
  cat >shim/go.mod <<GOMOD
module github.com/terraform-providers/terraform-provider-random/shim

go 1.26

require github.com/terraform-providers/terraform-provider-random $TF_RANDOM_MODULE
GOMOD
  cat >shim/shim.go <<'GO'
// Generated by testbed/engine/build.sh.
package shim

import (
	tfpf "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/terraform-providers/terraform-provider-random/internal/provider"
)

func NewProvider() tfpf.Provider { return provider.New() }
GO
  cat >provider/provider.go <<'GO'
// Generated by testbed/engine/build.sh: ProviderInfo bridging terraform-provider-random.
package provider

import (
	_ "embed"

	pfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/terraform-providers/terraform-provider-random/shim"
)

// Version is stamped with -ldflags -X.
var Version = "0.0.0"

// Written by our tfgen run (starts as {}).
//
//go:embed bridge-metadata.json
var bridgeMetadata []byte

func Provider() tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:           pfbridge.ShimProvider(shim.NewProvider()),
		Name:        "random",
		DisplayName: "random",
		Version:     Version,
		Publisher:   "Pulumi",
		License:     "Apache-2.0",
		GitHubOrg:   "terraform-providers",
		Repository:  "https://github.com/pulumi/pulumi-random",
		JavaScript:  &tfbridge.JavaScriptInfo{PackageName: "@pulumi/random"},
		MetadataInfo: tfbridge.NewProviderMetadata(bridgeMetadata),
	}
	// @pulumi/random keeps the TF prefix: random_password -> random:index/randomPassword:RandomPassword
	info.MustComputeTokens(tokens.SingleModule("", "index", tokens.MakeStandard("random")))
	return info
}
GO
  cat >cmd/pulumi-tfgen-random/main.go <<'GO'
// Generated by testbed/engine/build.sh: schema generator for our random bridge.
package main

import (
	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	"local.test/engine-random/provider"
)

func main() { pftfgen.Main("random", provider.Provider()) }
GO
  cat >cmd/pulumi-resource-random/main.go <<'GO'
// Generated by testbed/engine/build.sh: pulumi-resource-random over terraform-provider-random.
package main

import (
	"context"
	_ "embed"

	pfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	"local.test/engine-random/provider"
)

//go:embed schema.json
var schema []byte

func main() {
	pfbridge.Main(context.Background(), "random", provider.Provider(),
		pfbridge.ProviderMetadata{PackageSchema: schema})
}
GO
  echo '{}' >cmd/pulumi-resource-random/schema.json # placeholders until tfgen has run
  echo '{}' >provider/bridge-metadata.json
  go mod edit -replace github.com/terraform-providers/terraform-provider-random/shim=./shim
  go mod edit -require github.com/terraform-providers/terraform-provider-random/shim@v0.0.0
  restate_replaces "github.com/pulumi/pulumi-terraform-bridge/v3@$TF_BRIDGE_VERSION"
  go mod edit -replace "github.com/hashicorp/terraform-plugin-sdk/v2=github.com/pulumi/terraform-plugin-sdk/v2@$TF_PLUGIN_SDK_FORK"
  go get "github.com/pulumi/pulumi-terraform-bridge/v3@$TF_BRIDGE_VERSION" \
    "github.com/terraform-providers/terraform-provider-random@$TF_RANDOM_MODULE"
  go mod tidy
  (cd shim && go mod tidy)
  go mod tidy
  mark_prepared random "$key"
}
build_pulumi-resource-random() {
  prep_random
  local ld="-s -w -X local.test/engine-random/provider.Version=$RANDOM_PROVIDER_VERSION"
  "${GOBUILD[@]}" -ldflags "$ld" -o "$WORK/random/pulumi-tfgen-random" ./cmd/pulumi-tfgen-random
  rm -rf "$WORK/random/schema-out"
  PULUMI_MISSING_DOCS_ERROR=false PULUMI_SKIP_MISSING_MAPPING_ERROR=true \
    "$WORK/random/pulumi-tfgen-random" schema --skip-docs --skip-examples --out "$WORK/random/schema-out"
  jq -e '.resources["random:index/randomPassword:RandomPassword"]' "$WORK/random/schema-out/schema.json" >/dev/null
  jq --arg v "$RANDOM_PROVIDER_VERSION" '.version = $v' "$WORK/random/schema-out/schema.json" >cmd/pulumi-resource-random/schema.json
  [[ ! -f $WORK/random/schema-out/bridge-metadata.json ]] ||
    install -m644 "$WORK/random/schema-out/bridge-metadata.json" provider/bridge-metadata.json
  "${GOBUILD[@]}" -ldflags "$ld" -o "$BIN/pulumi-resource-random" ./cmd/pulumi-resource-random
}

# pulumi-tls: the proxy serves neither github.com/pulumi/pulumi-tls/provider/v5 nor a usable
# github.com/hashicorp/terraform-provider-tls (re-probed below, result in the log). Instead we build a
# small stand-in of our own, testbed/engine/tls-standin/*.go (copied into the work module), that
# implements PrivateKey, SelfSignedCert, CertRequest and LocallySignedCert with @pulumi/tls's property
# names; anything else fails with a clear error.
TLS_STANDIN=$HERE/tls-standin
# Hash of the stand-in's sources: part of its prepared key and of its stamp, so editing them rebuilds
# this plugin only (the fingerprint, and with it every other binary's cache, stays the same).
TLS_STANDIN_HASH=$(cd "$TLS_STANDIN" && find . -type f -name '*.go' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)
prep_tls() {
  local key="tls-standin $PULUMI_VERSION $TLS_PROVIDER_VERSION $TLS_STANDIN_HASH" q
  for q in github.com/pulumi/pulumi-tls/provider/v5@latest github.com/hashicorp/terraform-provider-tls@latest; do
    (cd "$WORK" && go mod download -json "$q" 2>/dev/null | jq -r '"probe '"$q"': " + (.Error // ("served " + .Version))') || true
  done
  prepared tls "$key" && { cd "$WORK/tls"; return; }
  new_module "$WORK/tls" local.test/engine-tls
  restate_replaces "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION"
  install -m644 "$TLS_STANDIN"/*.go .
  go get "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION"
  go mod tidy
  mark_prepared tls "$key"
}
build_pulumi-resource-tls() {
  prep_tls
  "${GOBUILD[@]}" -ldflags "-s -w -X main.Version=$TLS_PROVIDER_VERSION" -o "$BIN/pulumi-resource-tls" .
}

# ---------------------------------------------------------------- a node (target "kubenode"; not in "all")
# Everything a single node beside the control plane needs (testbed/engine/cluster.sh node ...):
# kubelet, kube-proxy and kube-scheduler from the control plane's wrapper module; CNI plugins; the
# NetworkPolicy enforcer; metrics-server; the local-path provisioner; CoreDNS; our nettool; and
# images built here, never pulled (docker-archive tarballs for `ctr images import`).
NODEK=$ENGINE/kubenode # cni/ (CNI plugins), images/ (tarballs)
NETTOOL_SRC=$HERE/nettool
PAUSE_SRC=$HERE/pause/pause.c
NODE_SRC_HASH=$(cat "$NETTOOL_SRC"/*.go "$PAUSE_SRC" | sha256sum | cut -c1-12)
# The API image ref the dev stack names (api.image.repository:tag in Pulumi.dev.yaml): the podinfo
# image is tagged with exactly this, so imagePullPolicy IfNotPresent finds it and never pulls.
api_image_ref() {
  awk '/^  ape-2026:api:/{a=1; next} a && /^  [^ ]/{a=0} a && /^    image:/{i=1; next}
       i && /^    [^ ]/{i=0} i && /repository:/{r=$2} i && /tag:/{t=$2} END{print r ":" t}' "$HERE/../../Pulumi.dev.yaml"
}
PODINFO_REF=$(api_image_ref)
PODINFO_COMMIT=${PODINFO_MODULE##*-}
CLIENT_REF=ape.local/client:$NODE_SRC_HASH
PAUSE_REF=ape.local/pause:$NODE_SRC_HASH
COREDNS_REF=ape.local/coredns:$COREDNS_VERSION

prep_kube_node() {
  local key="kube-node $K8S_VERSION $K8S_STAGING_VERSION"
  prep_kube
  if ! prepared kube-node "$key"; then
    go get -tool "k8s.io/kubernetes/cmd/kubelet@$K8S_VERSION" "k8s.io/kubernetes/cmd/kube-proxy@$K8S_VERSION" \
      "k8s.io/kubernetes/cmd/kube-scheduler@$K8S_VERSION"
    go mod tidy
    mkdir -p "$WORK/kube-node" && mark_prepared kube-node "$key"
  fi
}
build_kube_node() {
  prep_kube_node
  "${GOBUILD[@]}" -ldflags "$(kube_ldflags)" -o "$BIN/$1" "k8s.io/kubernetes/cmd/$1"
}
build_kubelet() { build_kube_node kubelet; }
build_kube-proxy() { build_kube_node kube-proxy; }
build_kube-scheduler() { build_kube_node kube-scheduler; }

# gomod_tool GROUP MODULE VERSION PACKAGE: a wrapper module requiring MODULE@VERSION (its version
# replaces restated) with PACKAGE as a tool; leaves the shell in it.
gomod_tool() {
  local group=$1 mod=$2 ver=$3 pkg=$4 key="$1 $2@$3 $4"
  if ! prepared "$group" "$key"; then
    new_module "$WORK/$group" "local.test/engine-$group"
    restate_replaces "$mod@$ver"
    go get -tool "$pkg@$ver"
    go mod tidy
    mark_prepared "$group" "$key"
  fi
  cd "$WORK/$group"
}

build_cni-plugins() {
  local m=github.com/containernetworking/plugins p
  gomod_tool cni "$m" "$CNI_PLUGINS_VERSION" "$m/plugins/main/bridge"
  for p in main/loopback ipam/host-local meta/portmap; do go get -tool "$m/plugins/$p@$CNI_PLUGINS_VERSION"; done
  mkdir -p "$NODEK/cni"
  for p in main/bridge main/loopback ipam/host-local meta/portmap; do
    "${GOBUILD[@]}" -ldflags "-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$CNI_PLUGINS_VERSION" \
      -o "$NODEK/cni/${p#*/}" "$m/plugins/$p"
  done
}

build_kube-router() {
  local m=github.com/cloudnativelabs/kube-router/v2
  gomod_tool kube-router "$m" "$KUBE_ROUTER_VERSION" "$m/cmd/kube-router"
  "${GOBUILD[@]}" -ldflags "-s -w -X $m/pkg/version.Version=$KUBE_ROUTER_VERSION" -o "$BIN/kube-router" "$m/cmd/kube-router"
}

# Built so that its fitness can be checked here; it needs the nftables "queue" expression, which
# this kernel lacks (CONFIG_NFT_QUEUE), so cluster.sh runs kube-router as the enforcer.
build_kube-network-policies() {
  gomod_tool knp sigs.k8s.io/kube-network-policies "$KNP_VERSION" sigs.k8s.io/kube-network-policies/cmd
  "${GOBUILD[@]}" -ldflags "-s -w" -o "$BIN/kube-network-policies" sigs.k8s.io/kube-network-policies/cmd
}

build_metrics-server() {
  local m=sigs.k8s.io/metrics-server
  gomod_tool metrics-server "$m" "$METRICS_SERVER_VERSION" "$m/cmd/metrics-server"
  "${GOBUILD[@]}" -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$METRICS_SERVER_VERSION" \
    -o "$BIN/metrics-server" "$m/cmd/metrics-server"
}

build_local-path-provisioner() {
  local m=github.com/rancher/local-path-provisioner
  gomod_tool local-path "$m" "$LOCAL_PATH_VERSION" "$m"
  "${GOBUILD[@]}" -ldflags "-s -w -X main.VERSION=$LOCAL_PATH_VERSION" -o "$BIN/local-path-provisioner" "$m"
}

build_crictl() {
  gomod_tool crictl sigs.k8s.io/cri-tools "$CRICTL_VERSION" sigs.k8s.io/cri-tools/cmd/crictl
  "${GOBUILD[@]}" -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" -o "$BIN/crictl" \
    sigs.k8s.io/cri-tools/cmd/crictl
}

# CoreDNS with only the plugins a cluster DNS uses (the upstream main links ~60, cloud DNS backends
# included): our own main imports them and runs coremain. No "forward": names outside the cluster
# domain are not resolved, so no query ever leaves the machine.
build_coredns() {
  local key="coredns $COREDNS_VERSION" p
  if ! prepared coredns "$key"; then
    new_module "$WORK/coredns" local.test/engine-coredns
    restate_replaces "github.com/coredns/coredns@$COREDNS_VERSION"
    {
      echo '// Generated by testbed/engine/build.sh: CoreDNS with the plugins of a cluster DNS only.'
      echo 'package main'
      echo
      echo 'import ('
      echo '	"github.com/coredns/coredns/coremain"'
      for p in cache errors health kubernetes loadbalance log ready reload whoami; do
        echo "	_ \"github.com/coredns/coredns/plugin/$p\""
      done
      echo ')'
      echo
      echo 'func main() { coremain.Run() }'
    } >main.go
    go get "github.com/coredns/coredns@$COREDNS_VERSION"
    go mod tidy
    mark_prepared coredns "$key"
  fi
  cd "$WORK/coredns"
  "${GOBUILD[@]}" -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION" -o "$BIN/coredns" .
}

build_nettool() {
  new_module "$WORK/nettool" local.test/nettool
  install -m644 "$NETTOOL_SRC"/*.go .
  "${GOBUILD[@]}" -ldflags "-s -w" -o "$BIN/nettool" .
}

# docker_archive OUT REF ROOTFS CONFIG_JSON: a one-layer docker-archive tarball of ROOTFS tagged REF
# (what `ctr -n k8s.io images import` reads); CONFIG_JSON is the image config's "config" object.
docker_archive() {
  local out=$1 ref=$2 root=$3 cfg=$4 t diff csum
  t=$(mktemp -d)
  tar --numeric-owner --owner=0 --group=0 --mtime=@0 --sort=name -C "$root" -cf "$t/layer.tar" .
  diff=$(sha256sum "$t/layer.tar" | cut -d' ' -f1)
  jq -n --arg d "sha256:$diff" --argjson c "$cfg" \
    '{architecture: "amd64", os: "linux", config: $c, rootfs: {type: "layers", diff_ids: [$d]}}' >"$t/config.json"
  csum=$(sha256sum "$t/config.json" | cut -d' ' -f1)
  mv "$t/config.json" "$t/$csum.json"
  jq -n --arg c "$csum.json" --arg r "$ref" '[{Config: $c, RepoTags: [$r], Layers: ["layer.tar"]}]' >"$t/manifest.json"
  mkdir -p "$(dirname "$out")"
  tar -C "$t" -cf "$out.tmp" manifest.json "$csum.json" layer.tar
  mv "$out.tmp" "$out"
  rm -rf "$t"
  echo "$out: $ref ($(stat -c %s "$out") bytes)"
}
rootfs() { rm -rf "$WORK/rootfs/$1" && mkdir -p "$WORK/rootfs/$1" && echo "$WORK/rootfs/$1"; }

# The pod sandbox: our static C program (containerd's sandbox_image).
build_image-pause() {
  local r
  r=$(rootfs pause)
  gcc -static -O2 -Wall -o "$r/pause" "$PAUSE_SRC"
  strip "$r/pause"
  docker_archive "$NODEK/images/pause.tar" "$PAUSE_REF" "$r" '{"Entrypoint": ["/pause"], "User": "65535:65535"}'
}

# The API stand-in: podinfo from its Go source, laid out as its own image is (./podinfo and ./ui in
# /home/app), run as uid 1000; tagged as Pulumi.dev.yaml names the API image.
build_image-podinfo() {
  local m=github.com/stefanprodan/podinfo r dir
  [[ $PODINFO_REF == *:* && $PODINFO_REF != ":" ]] || { echo "no api.image in Pulumi.dev.yaml"; return 1; }
  gomod_tool podinfo "$m" "$PODINFO_MODULE" "$m/cmd/podinfo"
  r=$(rootfs podinfo)
  mkdir -p "$r/home/app" "$r/tmp" "$r/data"
  chmod 1777 "$r/tmp"
  "${GOBUILD[@]}" -ldflags "-s -w -X $m/pkg/version.REVISION=$PODINFO_COMMIT" -o "$r/home/app/podinfo" "$m/cmd/podinfo"
  dir=$(go list -m -f '{{.Dir}}' "$m")
  cp -r "$dir/ui" "$r/home/app/ui" && chmod -R u+w,go-w "$r/home/app/ui"
  docker_archive "$NODEK/images/podinfo.tar" "$PODINFO_REF" "$r" "$(jq -nc --arg c "$PODINFO_COMMIT" \
    '{Entrypoint: ["./podinfo"], WorkingDir: "/home/app", User: "1000:1000",
      Labels: {"org.opencontainers.image.source": "github.com/stefanprodan/podinfo", "org.opencontainers.image.revision": $c}}')"
}

# The client/stand-in image: nettool plus Debian's busybox-static (a shell and coreutils for the
# local-path helper pods and for debugging).
build_image-client() {
  local r a bb
  bb=$(command -v busybox) || { echo "busybox not found (apt-get install busybox-static)"; return 1; }
  file -L "$bb" | grep -q 'statically linked' || { echo "$bb is not static (apt-get install busybox-static)"; return 1; }
  [[ -x $BIN/nettool ]] || build_nettool
  r=$(rootfs client)
  mkdir -p "$r/bin" "$r/tmp" "$r/etc"
  chmod 1777 "$r/tmp"
  install -m755 "$BIN/nettool" "$r/bin/nettool"
  install -m755 "$bb" "$r/bin/busybox"
  for a in $("$bb" --list); do [[ -e $r/bin/$a ]] || ln -s busybox "$r/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
  docker_archive "$NODEK/images/client.tar" "$CLIENT_REF" "$r" '{"Entrypoint": ["/bin/nettool"], "Env": ["PATH=/bin"]}'
}

build_image-coredns() {
  local r
  [[ -x $BIN/coredns ]] || { echo "coredns binary missing: build target coredns first"; return 1; }
  r=$(rootfs coredns)
  install -m755 "$BIN/coredns" "$r/coredns"
  docker_archive "$NODEK/images/coredns.tar" "$COREDNS_REF" "$r" '{"Entrypoint": ["/coredns"]}'
}

# ---------------------------------------------------------------- the edge (target "edge"; not in "all" nor "kubenode")
# A Gateway API controller (Traefik v3) and cert-manager's controller, both from the Go module
# proxy, plus the CRDs they need, copied out of the same modules at build time into the cache:
#   $ENGINE/edge/crds/gateway-api.yaml   standard channel of the gateway-api release Traefik requires
#   $ENGINE/edge/crds/traefik.yaml       traefik.io CRDs (Middleware, ...) of the Traefik release
#   $ENGINE/edge/crds/cert-manager.yaml  cert-manager.io + acme.cert-manager.io CRDs
EDGE=$ENGINE/edge
CERT_MANAGER_SRC=$HERE/cert-manager
TRAEFIK_REF=ape.local/traefik:$TRAEFIK_VERSION

# Traefik's module as served, with three adjustments for this proxy (each in the wrapper module only):
# - its go.mod replaces github.com/traefik/traefik/dynamic/ext with a directory that is a module of
#   its own, so it is neither in the v3 zip nor served. It is the extension point of two
#   configuration structs (HTTPConfiguration and Router embed ext.HTTP and ext.Router); the
#   open-source build has nothing in them, so the wrapper provides the two empty structs.
# - its replace of github.com/abbot/go-http-auth with the containous fork at a 2026 pseudo-version is
#   refused (403): TRAEFIK_HTTP_AUTH_FORK is the fork's served 2020 revision (basic/digest auth
#   middlewares, which the test bed does not use).
# - lego (ACME) links every DNS-01 provider through providers/dns, and several of their SDKs are
#   refused (akamai, huaweicloud, oci, sacloud, ucloud, yandex-cloud): lego is used from a copy of
#   its module in the work dir whose providers/dns holds our one-function factory that answers
#   "not part of this build" for every name. ACME HTTP-01 and TLS-ALPN-01 are untouched.
prep_traefik() {
  local key="traefik $TRAEFIK_VERSION $TRAEFIK_HTTP_AUTH_FORK" gm lego_version lego_dir
  prepared traefik "$key" && { cd "$WORK/traefik"; return; }
  new_module "$WORK/traefik" local.test/engine-traefik
  restate_replaces "github.com/traefik/traefik/v3@$TRAEFIK_VERSION"
  go mod edit -replace "github.com/abbot/go-http-auth=github.com/containous/go-http-auth@$TRAEFIK_HTTP_AUTH_FORK"
  go mod edit -exclude 'github.com/tencentcloud/tencentcloud-sdk-go@v3.0.83+incompatible'
  mkdir -p ext
  printf 'module github.com/traefik/traefik/dynamic/ext\n\ngo 1.26\n' >ext/go.mod
  {
    echo '// Generated by testbed/engine/build.sh: the empty extension structs of the open-source build.'
    echo 'package ext'
    echo
    echo '// HTTP extends dynamic.HTTPConfiguration (nothing in the open-source build).'
    echo 'type HTTP struct{}'
    echo
    echo '// Router extends dynamic.Router (nothing in the open-source build).'
    echo 'type Router struct{}'
  } >ext/ext.go
  go mod edit -replace github.com/traefik/traefik/dynamic/ext=./ext
  gm=$(gomod_of "github.com/traefik/traefik/v3@$TRAEFIK_VERSION")
  lego_version=$(go mod edit -json "$gm" | jq -r '.Require[] | select(.Path == "github.com/go-acme/lego/v5") | .Version')
  lego_dir=$(go mod download -json "github.com/go-acme/lego/v5@$lego_version" | jq -r '.Dir // error(.Error)')
  cp -r "$lego_dir" lego && chmod -R u+w lego
  find lego/providers/dns -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
  rm -f lego/providers/dns/*.go
  {
    echo '// Generated by testbed/engine/build.sh: no ACME DNS-01 provider in this build (several of their'
    echo '// SDKs are not served by the Go module proxy here).'
    echo 'package dns'
    echo
    echo 'import ('
    echo '	"fmt"'
    echo
    echo '	"github.com/go-acme/lego/v5/challenge"'
    echo ')'
    echo
    echo '// NewDNSChallengeProviderByName refuses every name.'
    echo 'func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {'
    echo '	return nil, fmt.Errorf("ACME DNS-01 provider %q: not part of this build", name)'
    echo '}'
  } >lego/providers/dns/dns.go
  go mod edit -replace github.com/go-acme/lego/v5=./lego
  go get -tool "github.com/traefik/traefik/v3/cmd/traefik@$TRAEFIK_VERSION"
  go mod tidy
  mark_prepared traefik "$key"
}
build_traefik() {
  local p=github.com/traefik/traefik/v3/pkg/version
  prep_traefik
  "${GOBUILD[@]}" -ldflags "-s -w -X $p.Version=$TRAEFIK_VERSION -X $p.Codename=ape-2026 -X $p.BuildDate=2026-01-01T00:00:00Z" \
    -o "$BIN/traefik" github.com/traefik/traefik/v3/cmd/traefik
}

# cert-manager's cmd/controller is a module of its own (not served); our main in cert-manager/
# runs the controllers of the served module (see its header for which).
build_cert-manager-controller() {
  local key="cert-manager $CERT_MANAGER_VERSION $(sha256sum "$CERT_MANAGER_SRC/main.go" | cut -c1-12)"
  if ! prepared cert-manager "$key"; then
    new_module "$WORK/cert-manager" local.test/engine-cert-manager
    restate_replaces "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION"
    install -m644 "$CERT_MANAGER_SRC/main.go" .
    go get "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION"
    go mod tidy
    mark_prepared cert-manager "$key"
  fi
  cd "$WORK/cert-manager"
  "${GOBUILD[@]}" -ldflags "-s -w -X main.version=$CERT_MANAGER_VERSION" -o "$BIN/cert-manager-controller" .
}

# gateway_api_version: the sigs.k8s.io/gateway-api release the pinned Traefik requires.
gateway_api_version() {
  go mod edit -json "$(gomod_of "github.com/traefik/traefik/v3@$TRAEFIK_VERSION")" |
    jq -r '.Require[] | select(.Path == "sigs.k8s.io/gateway-api") | .Version'
}
# cat_yaml FILE...: one multi-document stream
cat_yaml() { local f; for f in "$@"; do echo '---'; sed '/^---\s*$/d' "$f"; done; }
build_edge-crds() {
  local gw gwdir tdir cdir files out=$EDGE/crds
  gw=$(gateway_api_version)
  [[ $gw == v* ]] || { echo "no sigs.k8s.io/gateway-api in traefik $TRAEFIK_VERSION's go.mod"; return 1; }
  gwdir=$(go mod download -json "sigs.k8s.io/gateway-api@$gw" | jq -r '.Dir // error(.Error)')
  tdir=$(go mod download -json "github.com/traefik/traefik/v3@$TRAEFIK_VERSION" | jq -r '.Dir // error(.Error)')
  cdir=$(go mod download -json "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION" | jq -r '.Dir // error(.Error)')
  mkdir -p "$out"
  # Standard channel CRDs only (the safe-upgrades admission policy beside them is not a CRD).
  mapfile -t files < <(grep -l '^kind: CustomResourceDefinition' "$gwdir"/config/crd/standard/*.yaml)
  cat_yaml "${files[@]}" >"$out/gateway-api.yaml.tmp"
  cat_yaml "$tdir"/docs/content/reference/dynamic-configuration/traefik.io_*.yaml >"$out/traefik.yaml.tmp"
  cat_yaml "$cdir"/deploy/crds/*.yaml >"$out/cert-manager.yaml.tmp"
  for f in gateway-api traefik cert-manager; do
    grep -q '^kind: CustomResourceDefinition' "$out/$f.yaml.tmp" || { echo "$f: no CRD found"; return 1; }
    [[ $(grep -c '^kind: ' "$out/$f.yaml.tmp") == $(grep -c '^kind: CustomResourceDefinition' "$out/$f.yaml.tmp") ]] ||
      { echo "$f: objects other than CRDs"; return 1; }
    mv "$out/$f.yaml.tmp" "$out/$f.yaml"
    echo "$out/$f.yaml: $(grep -c '^kind: CustomResourceDefinition' "$out/$f.yaml") CRDs"
  done
  printf '%s\n' "$gw" >"$out/gateway-api.version"
}

# The controller's image: the static binary alone, run as a non-root user.
build_image-traefik() {
  local r
  [[ -x $BIN/traefik ]] || { echo "traefik binary missing: build target traefik first"; return 1; }
  r=$(rootfs traefik)
  mkdir -p "$r/tmp" && chmod 1777 "$r/tmp"
  install -m755 "$BIN/traefik" "$r/traefik"
  docker_archive "$EDGE/images/traefik.tar" "$TRAEFIK_REF" "$r" '{"Entrypoint": ["/traefik"], "User": "65532:65532"}'
}

# ---------------------------------------------------------------- driver

declare -A VERSION_OF=(
  [etcd]=$ETCD_VERSION
  [kube-apiserver]=$K8S_VERSION
  [kube-controller-manager]=$K8S_VERSION
  [kubectl]=$K8S_VERSION
  [pulumi]=$PULUMI_VERSION
  [pulumi-language-nodejs]=$LANGHOST_STAMP # v3.68.0, or the newer host when its source is there
  [pulumi-resource-pulumi-nodejs]=script-2
  [node]=$NODE_VERSION
  [pulumi-resource-kubernetes]=$K8S_PROVIDER_VERSION
  [pulumi-resource-random]=$RANDOM_PROVIDER_VERSION
  [pulumi-resource-tls]=$TLS_PROVIDER_VERSION+standin.$TLS_STANDIN_HASH # stamp: pin + source hash
  [kubelet]=$K8S_VERSION
  [kube-proxy]=$K8S_VERSION
  [kube-scheduler]=$K8S_VERSION
  [cni-plugins]=$CNI_PLUGINS_VERSION
  [kube-router]=$KUBE_ROUTER_VERSION
  [kube-network-policies]=$KNP_VERSION
  [metrics-server]=$METRICS_SERVER_VERSION
  [local-path-provisioner]=$LOCAL_PATH_VERSION
  [coredns]=$COREDNS_VERSION
  [crictl]=$CRICTL_VERSION
  [nettool]=src.$NODE_SRC_HASH
  [image-pause]=$PAUSE_REF
  [image-podinfo]="$PODINFO_REF $PODINFO_MODULE" # re-tagged when Pulumi.dev.yaml names another image
  [image-client]=$CLIENT_REF
  [image-coredns]=$COREDNS_REF
  [traefik]=$TRAEFIK_VERSION
  [cert-manager-controller]=$CERT_MANAGER_VERSION+main.$(sha256sum "$CERT_MANAGER_SRC/main.go" | cut -c1-12)
  [edge-crds]="$TRAEFIK_VERSION $CERT_MANAGER_VERSION"
  [image-traefik]=$TRAEFIK_REF
)
ORDER=(etcd kube-apiserver kube-controller-manager kubectl pulumi pulumi-language-nodejs
  pulumi-resource-pulumi-nodejs node pulumi-resource-kubernetes pulumi-resource-random pulumi-resource-tls)
# Target "kubenode": not part of "all" (the e2e of stages 1-2 never needs it). Only what the node
# runs: kube-network-policies is an explicit target of its own (it cannot enforce on this kernel,
# no test uses it, and it cost 10 of the 82 cold minutes).
KUBENODE=(kubelet kube-proxy kube-scheduler cni-plugins kube-router metrics-server
  local-path-provisioner coredns crictl nettool image-pause image-podinfo image-client image-coredns)
# Target "edge": the Gateway API controller and cert-manager (cluster.sh node edge); in neither group above.
EDGE_TARGETS=(traefik cert-manager-controller edge-crds image-traefik)

# artifact NAME: the file that proves NAME is built (most are $BIN/NAME).
artifact() {
  case $1 in
    cni-plugins) echo "$NODEK/cni/portmap" ;;
    edge-crds) echo "$EDGE/crds/cert-manager.yaml" ;;
    image-traefik) echo "$EDGE/images/traefik.tar" ;;
    image-*) echo "$NODEK/images/${1#image-}.tar" ;;
    *) echo "$BIN/$1" ;;
  esac
}
have() { [[ ($1 == image-* || $1 == edge-crds) && -s $(artifact "$1") ]] || [[ -x $(artifact "$1") ]]; }
# bytes NAME: size on disk (all four plugins for cni-plugins)
bytes() { if [[ $1 == cni-plugins ]]; then du -cb "$NODEK/cni"/* | tail -n1 | cut -f1; elif [[ $1 == edge-crds ]]; then du -cb "$EDGE/crds"/*.yaml | tail -n1 | cut -f1; else stat -L -c %s "$(artifact "$1")"; fi; }

row() { # binary version status seconds bytes detail
  local detail=${6//$'\t'/ }
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${detail:0:3000}" >"$REPD/$1.tsv"
}

build_one() {
  local name=$1 version=${VERSION_OF[$1]} start secs bytes logf=$LOGS/$1.log err
  if have "$name" && [[ -f $STAMPS/$name && $(cat "$STAMPS/$name") == "$version" ]]; then
    log "skip $name $version (already built)"
    [[ -f $REPD/$name.tsv ]] || row "$name" "$version" built "?" "$(bytes "$name")" "built earlier"
    return 0
  fi
  log "build $name $version (log: $logf)"
  start=$(date +%s)
  rm -f "$STAMPS/$name"
  # Not "if (...)": errexit is ignored inside a condition, and each step must stop at its first error.
  local rc=0
  set +e
  (set -euo pipefail; "build_$name") >"$logf" 2>&1
  rc=$?
  set -e
  if [[ $rc == 0 ]] && have "$name"; then
    secs=$(($(date +%s) - start))
    bytes=$(bytes "$name")
    printf '%s' "$version" >"$STAMPS/$name"
    row "$name" "$version" built "$secs" "$bytes" "go $(go env GOVERSION)"
    log "done  $name $version in ${secs}s, $bytes bytes"
  else
    secs=$(($(date +%s) - start))
    err=$(grep -v '^go: downloading\|^go: found\|^go: added\|^go: upgraded' "$logf" | grep -v '^\s*$' | tail -n 12 | tr '\n' '|' | sed 's/|/ | /g')
    row "$name" "$version" FAILED "$secs" 0 "$err (full log: $logf)"
    log "FAILED $name after ${secs}s: $err"
  fi
}

expand() {
  case $1 in
    all) printf '%s\n' "${ORDER[@]}" ;;
    controlplane) printf '%s\n' etcd kube-apiserver kube-controller-manager kubectl ;;
    pulumi) printf '%s\n' pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs node ;;
    providers) printf '%s\n' pulumi-resource-kubernetes pulumi-resource-random pulumi-resource-tls ;;
    kubenode) printf '%s\n' "${KUBENODE[@]}" ;;
    edge) printf '%s\n' "${EDGE_TARGETS[@]}" ;;
    *) [[ -n ${VERSION_OF[$1]:-} ]] || { echo "unknown target: $1" >&2; exit 2; }; echo "$1" ;;
  esac
}

main() {
  [[ $# -gt 0 ]] || set -- all
  TARGETS=()
  for t in "$@"; do mapfile -t -O "${#TARGETS[@]}" TARGETS < <(expand "$t"); done

  command -v go >/dev/null || { log "go not found (expected /usr/local/go/bin/go)"; exit 1; }
  command -v jq >/dev/null || { log "jq not found (apt-get install jq)"; exit 1; }
  log "engine $FP: $(go env GOVERSION), targets: ${TARGETS[*]}"
  log "bin: $BIN  work: $WORK"
  T0=$(date +%s)
  for t in "${TARGETS[@]}"; do build_one "$t"; done

  REPORT=$ENGINE/build-report.tsv
  {
    printf 'binary\tversion\tstatus\tseconds\tbytes\tdetail\n'
    for t in "${ORDER[@]}" "${KUBENODE[@]}" kube-network-policies "${EDGE_TARGETS[@]}"; do [[ -f $REPD/$t.tsv ]] && cat "$REPD/$t.tsv"; done
  } >"$REPORT"
  log "finished in $(($(date +%s) - T0))s; report: $REPORT"
  cut -f1-5 "$REPORT" | column -t -s $'\t'
  log "disk: bin $(du -sh "$BIN" | cut -f1), work $(du -sh "$WORK" | cut -f1)"

  missing=0
  for t in "${TARGETS[@]}"; do have "$t" || missing=1; done
  exit $missing
}

# Everything above only defines; this last line runs it, so editing the file mid-run is harmless.
main "$@"; exit $?

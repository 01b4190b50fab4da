#!/usr/bin/env bash
# Builds the chart images on a machine without a Docker engine or registry, into docker-archive
# tarballs outside the repository that `ctr -n k8s.io images import` loads into a node's containerd
# under the names the rendered charts use (so imagePullPolicy IfNotPresent finds them).
#
#   testbed/images/build.sh [all|data|test|IMAGE...]   (default: all)
#   testbed/images/build.sh --list                     images, their tarballs and tags
#
# data: the recipes of images/ (postgresql-timescaledb, redis, redis-sentinel, postgres-exporter,
#   redis-exporter), built by `buildah bud --pull=never` from the same Dockerfiles a user builds
#   with docker, on a debian:trixie-slim base made here by mmdebstrap from Debian's archive.
# test: images the tests need for the other chart containers: prometheus, alertmanager,
#   config-reloader, kube-state-metrics (Go module proxy), k8s-sidecar (Debian's python3 + the
#   sidecar's release tree from the source cache) and grafana-standin (our own program; NOT Grafana).
#
# Output:  ${APE_IMAGES_CACHE:-$HOME/.cache/ape-2026-images}/<fingerprint>/images/<image>.tar
#          .../<fingerprint>/build-report.tsv (image, ref, status, seconds, bytes, detail)
# Sources: ${APE_IMAGES_SOURCES:-$APE_IMAGES_CACHE/sources} (k8s-sidecar-<version>.tar, see --help-sources)
# Needs:   root, buildah, mmdebstrap, skopeo (apt-get install buildah mmdebstrap skopeo), jq, Go
#          (/usr/local/go) for the Go images, network access to Debian's archive and the Go proxy.
# Idempotent: an image whose stamp (its pins, recipe files and tags) is unchanged is skipped. A
# failing image is recorded with its error and the others are still built. Exit code 1 if a
# requested image is missing at the end. Heavy steps run under `nice` and, when the lock file
# ${APE_HEAVY_LOCK:-/work/tools/heavy.lock} exists, under flock on it (one heavy build at a time).
# Build functions are called indirectly (build_$name):
# shellcheck disable=SC2317
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PINS=$REPO/images/versions.env
# shellcheck source=../../images/versions.env
source "$PINS"

[[ -x /usr/local/go/bin/go ]] && PATH=/usr/local/go/bin:$PATH
export PATH

FP=$(sha256sum "$PINS" | cut -c1-12)
ROOT=${APE_IMAGES_CACHE:-$HOME/.cache/ape-2026-images}
OUT=$ROOT/$FP
TARS=$OUT/images
STAMPS=$OUT/stamps
REPD=$OUT/report.d
WORK=${APE_IMAGES_WORK:-$ROOT/work}
LOGS=$WORK/logs
SOURCES=${APE_IMAGES_SOURCES:-$ROOT/sources}
mkdir -p "$TARS" "$STAMPS" "$REPD" "$LOGS"

# buildah's image store lives in the cache too, not in /var/lib/containers.
export CONTAINERS_STORAGE_CONF=$WORK/storage.conf
[[ -f $CONTAINERS_STORAGE_CONF ]] || printf '[storage]\ndriver = "overlay"\ngraphroot = "%s"\nrunroot = "%s"\n' \
  "$ROOT/storage" "/run/ape-2026-images" >"$CONTAINERS_STORAGE_CONF"

LOCK=${APE_HEAVY_LOCK:-/work/tools/heavy.lock}
heavy() { if [[ -e $LOCK ]]; then nice -n 10 flock "$LOCK" "$@"; else nice -n 10 "$@"; fi; }

log() { printf '%s [images] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

# ---------------------------------------------------------------- names

# Where the e2e's production stack pulls its own images from (testbed/e2e/pulumi.ts).
E2E_REGISTRY=registry.e2e.internal
# The tags of each tarball: the image's own name first, then the names the pinned charts render
# with today's stack files (dev and production, the e2e's registry for production's placeholders),
# so that the node finds them under IfNotPresent. The second group goes once the settings name
# these images themselves.
declare -A REFS=(
  [postgresql-timescaledb]="$E2E_REGISTRY/ape-2026/postgresql-timescaledb:$POSTGRESQL_TIMESCALEDB_TAG
    $E2E_REGISTRY/ape-2026/postgresql-timescaledb:17.6.0-debian-12-r4-ts2.22.1
    docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4"
  [redis]="$E2E_REGISTRY/ape-2026/redis:$REDIS_TAG docker.io/bitnamilegacy/redis:8.2.1-debian-12-r0"
  [redis-sentinel]="$E2E_REGISTRY/ape-2026/redis-sentinel:$REDIS_SENTINEL_TAG docker.io/bitnamilegacy/redis-sentinel:8.2.1-debian-12-r0"
  [postgres-exporter]="$E2E_REGISTRY/ape-2026/postgres-exporter:$POSTGRES_EXPORTER_TAG docker.io/bitnamilegacy/postgres-exporter:0.17.1-debian-12-r16"
  [redis-exporter]="$E2E_REGISTRY/ape-2026/redis-exporter:$REDIS_EXPORTER_TAG docker.io/bitnamilegacy/redis-exporter:1.76.0-debian-12-r0"
  [prometheus]="quay.io/prometheus/prometheus:$PROMETHEUS_TAG"
  [alertmanager]="quay.io/prometheus/alertmanager:$ALERTMANAGER_TAG"
  [config-reloader]="quay.io/prometheus-operator/prometheus-config-reloader:$CONFIG_RELOADER_TAG"
  [kube-state-metrics]="registry.k8s.io/kube-state-metrics/kube-state-metrics:$KUBE_STATE_METRICS_TAG"
  [k8s-sidecar]="quay.io/kiwigrid/k8s-sidecar:$K8S_SIDECAR_VERSION"
  # A stand-in under Grafana's image name, so the unchanged chart runs it; its own name says what it is.
  [grafana-standin]="$E2E_REGISTRY/ape-2026/grafana-standin:$GRAFANA_TAG docker.io/grafana/grafana:$GRAFANA_TAG"
)
DATA=(postgresql-timescaledb redis redis-sentinel postgres-exporter redis-exporter)
TEST=(prometheus alertmanager config-reloader kube-state-metrics k8s-sidecar grafana-standin)

refs() { echo ${REFS[$1]}; }           # word-split on purpose: one ref per word
first_ref() { set -- ${REFS[$1]}; echo "$1"; }

# ---------------------------------------------------------------- base image

# The Dockerfiles' FROM (debian:trixie-slim) made from Debian's archive: minbase, without
# documentation, manuals and translations (as the slim images are), tagged in buildah's store.
BASE_KEY="$DEBIAN_SUITE minbase slim-1"
ensure_base() {
  local stamp=$WORK/base.stamp t
  if [[ -f $stamp && $(cat "$stamp") == "$BASE_KEY" ]] && buildah inspect --type image "$DEBIAN_BASE" >/dev/null 2>&1; then
    return 0
  fi
  log "base $DEBIAN_BASE from Debian $DEBIAN_SUITE (mmdebstrap)"
  t=$(mktemp -d)
  heavy mmdebstrap --variant=minbase --mode=root --format=tar \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/log/*.log' \
    "$DEBIAN_SUITE" "$t/base.tar" \
    "deb http://deb.debian.org/debian $DEBIAN_SUITE main" \
    "deb http://deb.debian.org/debian $DEBIAN_SUITE-updates main" \
    "deb http://deb.debian.org/debian-security $DEBIAN_SUITE-security main"
  local c
  c=$(buildah from scratch)
  buildah add "$c" "$t/base.tar" / >/dev/null
  buildah config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
  buildah commit -q "$c" "$DEBIAN_BASE" >/dev/null
  buildah rm "$c" >/dev/null
  rm -rf "$t"
  printf '%s' "$BASE_KEY" >"$stamp"
}

# export_archive IMAGE: the built image (tagged with its first ref) as a docker-archive tarball
# carrying every ref of IMAGE.
export_archive() {
  local name=$1 first extra=() r
  first=$(first_ref "$name")
  for r in $(refs "$name"); do [[ $r == "$first" ]] || extra+=(--additional-tag "$r"); done
  rm -f "$TARS/$name.tar.tmp"
  skopeo copy -q "containers-storage:$first" "docker-archive:$TARS/$name.tar.tmp:$first" "${extra[@]}"
  mv "$TARS/$name.tar.tmp" "$TARS/$name.tar"
}

# bud IMAGE CONTEXT DOCKERFILE [build args...]: buildah bud of a Dockerfile, tagged with IMAGE's first ref.
bud() {
  local name=$1 ctx=$2 file=$3
  shift 3
  ensure_base
  heavy buildah bud --pull=never --isolation chroot --network host --layers=false \
    --build-arg "BASE=$DEBIAN_BASE" "$@" \
    --label "org.opencontainers.image.revision=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    -f "$file" -t "$(first_ref "$name")" "$ctx"
  export_archive "$name"
}

# ---------------------------------------------------------------- data images (images/)

data_image() {
  local name=$1 version=$2
  bud "$name" "$REPO/images" "$REPO/images/$name/Dockerfile" --label "org.opencontainers.image.version=$version"
}
build_postgresql-timescaledb() { data_image postgresql-timescaledb "$POSTGRESQL_TIMESCALEDB_TAG"; }
build_redis() { data_image redis "$REDIS_TAG"; }
build_redis-sentinel() { data_image redis-sentinel "$REDIS_SENTINEL_TAG"; }
build_postgres-exporter() { data_image postgres-exporter "$POSTGRES_EXPORTER_TAG"; }
build_redis-exporter() { data_image redis-exporter "$REDIS_EXPORTER_TAG"; }

# ---------------------------------------------------------------- test images: Go (module proxy)

export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local
GOBUILD=(go build -trimpath -p 2)

# go_module DIR MODULE@VERSION SUM PACKAGE: a wrapper module in DIR requiring MODULE at VERSION
# (its versioned replaces restated; go.sum must give MODULE the pinned SUM) with PACKAGE as a tool.
go_module() {
  local dir=$1 modver=$2 sum=$3 pkg=$4 got gm r
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
  go mod init local.test/images >/dev/null 2>&1
  go mod edit -go=1.26
  gm=$(go mod download -json "$modver" | jq -r '.GoMod // error(.Error)')
  got=$(go mod download -json "$modver" | jq -r .Sum)
  [[ $got == "$sum" ]] || { echo "checksum of $modver is $got, pinned $sum"; return 1; }
  while IFS= read -r r; do [[ -n $r ]] && go mod edit -replace "$r"; done < <(go mod edit -json "$gm" |
    jq -r '(.Replace // [])[] | select(.New.Version != null) | "\(.Old.Path)\(if .Old.Version then "@"+.Old.Version else "" end)=\(.New.Path)@\(.New.Version)"')
  go get -tool "$pkg@${modver#*@}"
  go mod tidy
}

# rootfs NAME: an empty root filesystem with /tmp and a passwd naming nobody (65534).
rootfs() {
  local r=$WORK/rootfs/$1
  rm -rf "$r" && mkdir -p "$r/bin" "$r/etc" "$r/tmp"
  chmod 1777 "$r/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$r/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$r/etc/group"
  [[ -f /etc/ssl/certs/ca-certificates.crt ]] && mkdir -p "$r/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/"
  echo "$r"
}

# go_image NAME ROOTFS CONFIG_JSON: commit ROOTFS as image NAME (config: Entrypoint, Cmd, User,
# WorkingDir, Labels) and export it.
go_image() {
  local name=$1 root=$2 cfg=$3 c k v
  c=$(buildah from scratch)
  buildah copy "$c" "$root" / >/dev/null
  local -a opts=()
  opts+=(--entrypoint "$(jq -c '.Entrypoint' <<<"$cfg")")
  [[ $(jq -r '.Cmd // empty' <<<"$cfg") ]] && opts+=(--cmd "$(jq -c '.Cmd' <<<"$cfg")")
  opts+=(--user "$(jq -r '.User' <<<"$cfg")")
  [[ $(jq -r '.WorkingDir // empty' <<<"$cfg") ]] && opts+=(--workingdir "$(jq -r '.WorkingDir' <<<"$cfg")")
  while IFS=$'\t' read -r k v; do opts+=(--label "$k=$v"); done < <(jq -r '(.Labels // {}) | to_entries[] | "\(.key)\t\(.value)"' <<<"$cfg")
  buildah config "${opts[@]}" "$c"
  buildah commit -q "$c" "$(first_ref "$name")" >/dev/null
  buildah rm "$c" >/dev/null
  export_archive "$name"
}

prom_ldflags() { # MODULE_PATH VERSION
  local v=github.com/prometheus/common/version
  echo "-s -w -X $v.Version=${2#v} -X $v.Revision=module-${2} -X $v.Branch=release -X $v.BuildUser=ape-2026-testbed -X $v.BuildDate=19700101-00:00:00"
}

build_prometheus() {
  local m=${PROMETHEUS_MODULE%@*} r
  go_module "$WORK/go/prometheus" "$PROMETHEUS_MODULE" "$PROMETHEUS_SUM" "$m/cmd/prometheus"
  r=$(rootfs prometheus)
  mkdir -p "$r/prometheus" "$r/etc/prometheus"
  # Service discovery trimmed to what the chart's scrape jobs use (kubernetes, file, http, dns):
  # the cloud providers' SDKs would triple the build for nothing the tests run.
  heavy "${GOBUILD[@]}" -tags remove_all_sd,enable_kubernetes_sd,enable_dns_sd \
    -ldflags "$(prom_ldflags "$m" "$PROMETHEUS_TAG")" -o "$r/bin/prometheus" "$m/cmd/prometheus"
  chown 65534:65534 "$r/prometheus"
  go_image prometheus "$r" "$(jq -nc --arg v "$PROMETHEUS_TAG" --arg m "$PROMETHEUS_MODULE" '{Entrypoint: ["/bin/prometheus"],
    Cmd: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"], User: "65534:65534", WorkingDir: "/prometheus",
    Labels: {"org.opencontainers.image.title": "prometheus", "org.opencontainers.image.version": $v,
      "org.opencontainers.image.source": $m, "org.opencontainers.image.description": "test build: service discovery kubernetes, dns, file, http only"}}')"
}

build_alertmanager() {
  local m=${ALERTMANAGER_MODULE%@*} r src=$WORK/go/alertmanager-src
  go_module "$WORK/go/alertmanager" "$ALERTMANAGER_MODULE" "$ALERTMANAGER_SUM" "$m/cmd/alertmanager"
  # The module lacks the web UI's built files (ui/app/dist, made by npm in its release process),
  # which the server embeds: a copy of the module with a one-page placeholder UI is built instead.
  rm -rf "$src" && cp -r "$(go mod download -json "$ALERTMANAGER_MODULE" | jq -r .Dir)" "$src" && chmod -R u+w "$src"
  # The server serves index.html only pre-compressed (index.html.gz; .br for clients preferring brotli).
  mkdir -p "$src/ui/app/dist"
  printf '<!doctype html><title>Alertmanager</title><p>Alertmanager %s test build: the web UI is not included.</p>\n' \
    "$ALERTMANAGER_TAG" | gzip -9n >"$src/ui/app/dist/index.html.gz"
  go mod edit -replace "$m=$src"
  go mod tidy
  r=$(rootfs alertmanager)
  mkdir -p "$r/alertmanager" "$r/etc/alertmanager"
  heavy "${GOBUILD[@]}" -ldflags "$(prom_ldflags "$m" "$ALERTMANAGER_TAG")" -o "$r/bin/alertmanager" "$m/cmd/alertmanager"
  chown 65534:65534 "$r/alertmanager"
  go_image alertmanager "$r" "$(jq -nc --arg v "$ALERTMANAGER_TAG" --arg m "$ALERTMANAGER_MODULE" '{Entrypoint: ["/bin/alertmanager"],
    Cmd: ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"], User: "65534:65534", WorkingDir: "/alertmanager",
    Labels: {"org.opencontainers.image.title": "alertmanager", "org.opencontainers.image.version": $v, "org.opencontainers.image.source": $m}}')"
}

build_config-reloader() {
  local m=${CONFIG_RELOADER_MODULE%@*} v=${CONFIG_RELOADER_MODULE#*@} r
  go_module "$WORK/go/config-reloader" "$CONFIG_RELOADER_MODULE" "$CONFIG_RELOADER_SUM" "$m/cmd/prometheus-config-reloader"
  r=$(rootfs config-reloader)
  heavy "${GOBUILD[@]}" -ldflags "$(prom_ldflags "$m" "$v")" -o "$r/bin/prometheus-config-reloader" "$m/cmd/prometheus-config-reloader"
  go_image config-reloader "$r" "$(jq -nc --arg v "$CONFIG_RELOADER_TAG" --arg m "$CONFIG_RELOADER_MODULE" '{Entrypoint: ["/bin/prometheus-config-reloader"],
    User: "65534:65534", Labels: {"org.opencontainers.image.title": "prometheus-config-reloader", "org.opencontainers.image.version": $v,
      "org.opencontainers.image.source": $m}}')"
}

build_kube-state-metrics() {
  local m=${KUBE_STATE_METRICS_MODULE%@*} v=${KUBE_STATE_METRICS_MODULE#*@} r
  go_module "$WORK/go/kube-state-metrics" "$KUBE_STATE_METRICS_MODULE" "$KUBE_STATE_METRICS_SUM" "$m"
  r=$(rootfs kube-state-metrics)
  heavy "${GOBUILD[@]}" -ldflags "$(prom_ldflags "$m" "$v")" -o "$r/kube-state-metrics" "$m"
  go_image kube-state-metrics "$r" "$(jq -nc --arg v "$KUBE_STATE_METRICS_TAG" --arg m "$KUBE_STATE_METRICS_MODULE" '{Entrypoint: ["/kube-state-metrics", "--port=8080", "--telemetry-port=8081"],
    User: "65534:65534", Labels: {"org.opencontainers.image.title": "kube-state-metrics", "org.opencontainers.image.version": $v,
      "org.opencontainers.image.source": $m}}')"
}

# ---------------------------------------------------------------- test images: others

# The dashboard sidecar: its release tree from the source cache, checked against the pinned
# sha256, on Debian's python3 (testbed/images/k8s-sidecar/Dockerfile).
build_k8s-sidecar() {
  local tar=$SOURCES/k8s-sidecar-$K8S_SIDECAR_VERSION.tar ctx=$WORK/ctx/k8s-sidecar got
  [[ -f $tar ]] || { echo "missing $tar: fill the source cache first (testbed/images/README.md)"; return 1; }
  got=$(sha256sum "$tar" | cut -d' ' -f1)
  [[ $got == "$K8S_SIDECAR_TAR_SHA256" ]] || { echo "sha256 of $tar is $got, pinned $K8S_SIDECAR_TAR_SHA256"; return 1; }
  rm -rf "$ctx" && mkdir -p "$ctx/src"
  tar -xf "$tar" -C "$ctx/src" --strip-components=2 "k8s-sidecar-$K8S_SIDECAR_VERSION/src"
  install -m644 "$HERE/k8s-sidecar/logfmter.py" "$HERE/k8s-sidecar/Dockerfile" "$ctx/"
  bud k8s-sidecar "$ctx" "$ctx/Dockerfile" --build-arg "PYTHON3_KUBERNETES_DEB=$PYTHON3_KUBERNETES_DEB" \
    --label "org.opencontainers.image.version=$K8S_SIDECAR_VERSION" \
    --label "org.opencontainers.image.source=https://github.com/kiwigrid/k8s-sidecar/tree/$K8S_SIDECAR_COMMIT" \
    --label "org.opencontainers.image.licenses=MIT"
}

# Grafana's stand-in: our own Go program (testbed/images/grafana-standin), static, uid 472 as
# Grafana's image; Grafana itself (AGPL) is never built here.
build_grafana-standin() {
  local dir=$WORK/go/grafana-standin r
  rm -rf "$dir" && mkdir -p "$dir" && cp "$HERE/grafana-standin/main.go" "$dir/" && cd "$dir"
  go mod init local.test/grafana-standin >/dev/null 2>&1
  go mod edit -go=1.26
  go get gopkg.in/yaml.v3@v3.0.1
  go mod tidy
  r=$(rootfs grafana-standin)
  printf 'grafana:x:472:0:grafana-standin:/usr/share/grafana:/sbin/nologin\n' >>"$r/etc/passwd"
  heavy "${GOBUILD[@]}" -ldflags "-s -w -X main.version=standin-for-$GRAFANA_TAG" -o "$r/bin/grafana-standin" .
  go_image grafana-standin "$r" "$(jq -nc --arg v "$GRAFANA_TAG" '{Entrypoint: ["/bin/grafana-standin"], User: "472:0",
    Labels: {"org.opencontainers.image.title": "grafana-standin", "org.opencontainers.image.version": ("standin-for-" + $v),
      "org.opencontainers.image.description": "STAND-IN for the tests, not Grafana: answers /api/health and reads the provisioned files"}}')"
}

# ---------------------------------------------------------------- driver

# stamp_of IMAGE: what the image is built from (its pins, recipe files, refs); a change rebuilds it.
stamp_of() {
  local name=$1 files=()
  case $name in
    postgresql-timescaledb | redis | redis-sentinel | postgres-exporter | redis-exporter)
      mapfile -t files < <(find "$REPO/images/common" "$REPO/images/$name" -type f | sort) ;;
    k8s-sidecar) mapfile -t files < <(find "$HERE/k8s-sidecar" -type f | sort) ;;
    grafana-standin) files=("$HERE/grafana-standin/main.go") ;;
  esac
  {
    echo "$name $BASE_KEY"
    refs "$name"
    cat "$PINS"
    [[ ${#files[@]} -gt 0 ]] && cat "${files[@]}"
    declare -f "build_$name"
  } | sha256sum | cut -c1-16
}

row() { # image ref status seconds bytes detail
  local detail=${6//$'\t'/ }
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${detail:0:3000}" >"$REPD/$1.tsv"
}

build_one() {
  local name=$1 stamp start secs bytes logf=$LOGS/$1.log err rc
  stamp=$(stamp_of "$name")
  if [[ -s $TARS/$name.tar && -f $STAMPS/$name && $(cat "$STAMPS/$name") == "$stamp" ]]; then
    log "skip $name (stamp $stamp)"
    [[ -f $REPD/$name.tsv ]] || row "$name" "$(first_ref "$name")" built "?" "$(stat -c %s "$TARS/$name.tar")" "built earlier"
    return 0
  fi
  log "build $name (log: $logf)"
  start=$(date +%s)
  rm -f "$STAMPS/$name"
  set +e
  (set -euo pipefail; "build_$name") >"$logf" 2>&1
  rc=$?
  set -e
  secs=$(($(date +%s) - start))
  if [[ $rc == 0 && -s $TARS/$name.tar ]]; then
    bytes=$(stat -c %s "$TARS/$name.tar")
    printf '%s' "$stamp" >"$STAMPS/$name"
    row "$name" "$(first_ref "$name")" built "$secs" "$bytes" "tags: $(refs "$name")"
    log "done  $name in ${secs}s, $bytes bytes"
  else
    err=$(grep -v '^go: downloading\|^go: found\|^go: added\|^Get:\|^Selecting\|^Preparing\|^Unpacking\|^Setting up' "$logf" |
      grep -v '^\s*$' | tail -n 12 | tr '\n' '|' | sed 's/|/ | /g')
    row "$name" "$(first_ref "$name")" FAILED "$secs" 0 "$err (full log: $logf)"
    log "FAILED $name after ${secs}s: $err"
  fi
}

expand() {
  case $1 in
    all) printf '%s\n' "${DATA[@]}" "${TEST[@]}" ;;
    data) printf '%s\n' "${DATA[@]}" ;;
    test) printf '%s\n' "${TEST[@]}" ;;
    *) [[ -n ${REFS[$1]:-} ]] || { echo "unknown image: $1 (all, data, test or one of: ${DATA[*]} ${TEST[*]})" >&2; exit 2; }; echo "$1" ;;
  esac
}

main() {
  if [[ ${1:-} == --list ]]; then
    for n in "${DATA[@]}" "${TEST[@]}"; do printf '%s\t%s\t%s\n' "$n" "$TARS/$n.tar" "$(refs "$n")"; done
    exit 0
  fi
  [[ $# -gt 0 ]] || set -- all
  local targets=() t missing=0 tool
  for t in "$@"; do mapfile -t -O "${#targets[@]}" targets < <(expand "$t"); done
  for tool in buildah skopeo mmdebstrap jq; do
    command -v "$tool" >/dev/null || { log "$tool not found (apt-get install buildah skopeo mmdebstrap jq)"; exit 1; }
  done
  [[ $(id -u) == 0 ]] || { log "must run as root (buildah, mmdebstrap)"; exit 1; }
  log "images $FP: ${targets[*]}"
  log "tarballs: $TARS  work: $WORK"
  local t0
  t0=$(date +%s)
  for t in "${targets[@]}"; do build_one "$t"; done
  {
    printf 'image\tref\tstatus\tseconds\tbytes\tdetail\n'
    for t in "${DATA[@]}" "${TEST[@]}"; do [[ -f $REPD/$t.tsv ]] && cat "$REPD/$t.tsv"; done
  } >"$OUT/build-report.tsv"
  log "finished in $(($(date +%s) - t0))s; report: $OUT/build-report.tsv"
  cut -f1-5 "$OUT/build-report.tsv" | column -t -s $'\t'
  for t in "${targets[@]}"; do [[ -s $TARS/$t.tar ]] || missing=1; done
  exit $missing
}

main "$@"

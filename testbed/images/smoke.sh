#!/usr/bin/env bash
# Runs the built data images the way the pinned Bitnami charts run them and checks what they do:
# uid/gid 1001, read-only root filesystem, no capabilities, the charts' emptyDirs as tmpfs, secrets
# as files, the host's network on loopback ports. Each image runs under runc from its docker-archive
# tarball (testbed/images/build.sh), unpacked with skopeo and umoci.
#
#   testbed/images/smoke.sh [postgresql|redis|sentinel|monitoring]...   (default: all four)
#
# postgresql: first start (cluster, roles, the program's TimescaleDB init script), a hypertable, the
#   configured preload libraries, the readiness marker; a restart on the same volume keeps the data
#   and does not run the init scripts again.
# redis, sentinel: the chart's own start scripts (rendered from the redis chart in the chart cache
#   with helm; skipped with a reason without them): a standalone master, then one node with Redis
#   and Sentinel that elects itself master.
# The exporters run beside them (postgresql, redis) as the charts run them and report their server up.
# monitoring: the test-only images: Prometheus, its config reloader and Alertmanager start with the
#   chart's arguments and answer their probes; kube-state-metrics runs (it needs an API server to
#   serve); the sidecar's modules import on Debian's python3; the Grafana stand-in answers health,
#   the sidecar's reload call and lists what it read.
# Prints one line per check and "N passed, N failed" at the end; exit code 1 on any failure.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=../../images/versions.env
source "$REPO/images/versions.env"
TARS=${APE_IMAGES_TARS:-$(dirname "$("$HERE/build.sh" --list | head -n1 | cut -f2)")}
CHARTS=${APE_CHART_CACHE:-$HOME/.cache/ape-2026-charts}
HELM=${HELM:-$(command -v helm || echo "$HOME/.cache/ape-2026-tools/bin/helm")}
W=$(mktemp -d /tmp/ape-images-smoke.XXXXXX)
PASS=0
FAIL=0
IDS=()

cleanup() {
  local id
  for id in "${IDS[@]}"; do runc kill "$id" KILL >/dev/null 2>&1; runc delete -f "$id" >/dev/null 2>&1; done
  # Container output is kept where APE_SMOKE_LOGS points (a directory), else removed with the rest.
  [[ -n ${APE_SMOKE_LOGS:-} ]] && mkdir -p "$APE_SMOKE_LOGS" && cp "$W"/*.log "$APE_SMOKE_LOGS/" 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT

check() { # NAME COMMAND...: one check, passed when COMMAND succeeds
  local name=$1
  shift
  if "$@" >"$W/check.out" 2>&1; then
    PASS=$((PASS + 1))
    echo "ok   $name"
  else
    FAIL=$((FAIL + 1))
    echo "FAIL $name"
    sed 's/^/     /' "$W/check.out" | tail -n 15
  fi
}

# bundle IMAGE: the image's tarball unpacked as an OCI runtime bundle (cached for the run).
bundle() {
  local img=$1 b=$W/bundles/$1
  if [[ ! -d $b ]]; then
    mkdir -p "$W/oci"
    skopeo copy -q "docker-archive:$TARS/$img.tar" "oci:$W/oci/$img:latest" || return 1
    umoci unpack --image "$W/oci/$img:latest" "$b" >/dev/null || return 1
  fi
  echo "$b"
}

# start ID IMAGE CONFIG_JQ: runs a container of IMAGE detached; CONFIG_JQ edits the bundle's config
# (args, env, mounts) on top of the chart-like defaults; output goes to $W/ID.log.
start() {
  local id=$1 img=$2 edit=$3 b
  b=$(bundle "$img") || return 1
  rm -rf "$W/run-$id" && mkdir -p "$W/run-$id"
  jq --arg id "$id" --arg root "$b/rootfs" '
    .process.terminal = false | .process.user = {uid: 1001, gid: 1001, additionalGids: [1001]}
    | .process.noNewPrivileges = true
    | .process.capabilities = {bounding: [], effective: [], inheritable: [], permitted: [], ambient: []}
    | .root = {path: $root, readonly: true} | .hostname = $id
    | .linux.namespaces |= map(select(.type != "network"))
    | .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"]}]
    | '"$edit" "$b/config.json" >"$W/run-$id/config.json" || return 1
  # runc gives a tmpfs the mode of the directory it covers; a Kubernetes emptyDir is 0777.
  local d
  for d in $(jq -r '.mounts[] | select(.type == "tmpfs" and (.options | index("gid=1001"))) | .destination' "$W/run-$id/config.json"); do
    mkdir -p "$b/rootfs$d" && chmod 0777 "$b/rootfs$d"
  done
  runc run -d --bundle "$W/run-$id" "$id" >"$W/$id.log" 2>&1 </dev/null || { cat "$W/$id.log"; return 1; }
  IDS+=("$id")
}
stop() { runc kill "$1" TERM >/dev/null 2>&1; sleep 3; runc delete -f "$1" >/dev/null 2>&1; }
# inside ID COMMAND...: runs COMMAND in the container as uid 1001.
inside() { local id=$1; shift; runc exec --user 1001:1001 "$id" "$@"; }
# wait_for SECONDS COMMAND...: retries COMMAND once a second.
wait_for() { local n=$1 i; shift; for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done; "$@"; }
tmpfs() { jq -nc --arg d "$1" '{destination: $d, type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=0777", "uid=0", "gid=1001"]}'; }
bind() { jq -nc --arg s "$1" --arg d "$2" --arg m "${3:-rw}" '{destination: $d, type: "bind", source: $s, options: ["rbind", $m]}'; }

# ---------------------------------------------------------------- PostgreSQL + TimescaleDB

PG_PORT=55432
pg_env() {
  jq -nc --arg p "$PG_PORT" '["BITNAMI_DEBUG=false", "POSTGRESQL_PORT_NUMBER=\($p)", "POSTGRESQL_VOLUME_DIR=/bitnami/postgresql",
    "PGDATA=/bitnami/postgresql/data", "POSTGRES_USER=ape", "POSTGRES_PASSWORD_FILE=/opt/bitnami/postgresql/secrets/password",
    "POSTGRES_POSTGRES_PASSWORD_FILE=/opt/bitnami/postgresql/secrets/postgres-password", "POSTGRES_DATABASE=ape_timeseries",
    "POSTGRESQL_ENABLE_LDAP=no", "POSTGRESQL_ENABLE_TLS=no", "POSTGRESQL_LOG_HOSTNAME=false", "POSTGRESQL_LOG_CONNECTIONS=false",
    "POSTGRESQL_LOG_DISCONNECTIONS=false", "POSTGRESQL_PGAUDIT_LOG_CATALOG=off", "POSTGRESQL_CLIENT_MIN_MESSAGES=error",
    "POSTGRESQL_SHARED_PRELOAD_LIBRARIES=pgaudit,timescaledb"]'
}
pg_start() {
  local mounts
  mounts=$(jq -sc . <(tmpfs /opt/bitnami/postgresql/conf) <(tmpfs /opt/bitnami/postgresql/tmp) <(tmpfs /dev/shm) \
    <(bind "$W/pg/volume" /bitnami/postgresql) <(bind "$W/pg/secrets" /opt/bitnami/postgresql/secrets ro) \
    <(bind "$W/pg/initdb" /docker-entrypoint-initdb.d ro) <(bind "$W/pg/conf.d" /bitnami/postgresql/conf/conf.d ro))
  start "$1" postgresql-timescaledb ".process.env += $(pg_env) | .mounts += $mounts"
}
# The chart's readiness probe (its command, with the chart's own `exec` removed so the marker test runs too).
pg_ready() {
  inside "$1" /bin/sh -c -e "pg_isready -U ape -d dbname=ape_timeseries -h 127.0.0.1 -p $PG_PORT
[ -f /opt/bitnami/postgresql/tmp/.initialized ] || [ -f /bitnami/postgresql/.initialized ]"
}
pg_sql() { # ID SQL: as ape over TCP, unaligned output
  inside "$1" env PGPASSWORD=app-secret psql -X -At -h 127.0.0.1 -p "$PG_PORT" -U ape -d ape_timeseries -v ON_ERROR_STOP=1 -c "$2"
}
expect() { # WANT COMMAND...: COMMAND's output equals WANT
  local want=$1 got
  shift
  got=$("$@") || return 1
  [[ $got == "$want" ]] || { echo "got '$got', want '$want'"; return 1; }
}

smoke_postgresql() {
  [[ -s $TARS/postgresql-timescaledb.tar ]] || { echo "skip postgresql: $TARS/postgresql-timescaledb.tar not built"; return; }
  mkdir -p "$W/pg/volume" "$W/pg/secrets" "$W/pg/initdb" "$W/pg/conf.d"
  chown 1001:1001 "$W/pg/volume"
  printf 'app-secret' >"$W/pg/secrets/password"
  printf 'admin-secret' >"$W/pg/secrets/postgres-password"
  # The init script the program mounts (services/postgresql: 00-timescaledb.sh), sourced by the entrypoint.
  cat >"$W/pg/initdb/00-timescaledb.sh" <<'EOF'
info "Creating extension timescaledb in database ${POSTGRESQL_DATABASE}"
echo "CREATE EXTENSION IF NOT EXISTS timescaledb;" |
  postgresql_execute "$POSTGRESQL_DATABASE" "postgres" "$POSTGRESQL_POSTGRES_PASSWORD"
EOF
  printf 'max_connections = 50\nshared_buffers = 64MB\n' >"$W/pg/conf.d/override.conf"
  chmod -R a+rX "$W/pg/secrets" "$W/pg/initdb" "$W/pg/conf.d"

  check "postgresql: the container starts (entrypoint, run.sh) as 1001 with a read-only root" pg_start pg1
  check "postgresql: the chart's readiness probe passes within 90 s" wait_for 90 pg_ready pg1
  check "postgresql: server runs PostgreSQL $POSTGRESQL_VERSION" expect "$POSTGRESQL_VERSION" pg_sql pg1 "SELECT split_part(current_setting('server_version'), ' ', 1)"
  check "postgresql: the init script created timescaledb $TIMESCALEDB_VERSION in ape_timeseries" \
    expect "$TIMESCALEDB_VERSION" pg_sql pg1 "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'"
  check "postgresql: ape owns ape_timeseries and can create a hypertable" pg_sql pg1 \
    "CREATE TABLE m (time timestamptz NOT NULL, v double precision); SELECT create_hypertable('m', 'time'); INSERT INTO m VALUES (now(), 1), (now() - interval '30 days', 2);"
  check "postgresql: preload libraries pgaudit,timescaledb" expect "pgaudit,timescaledb" inside pg1 env PGPASSWORD=admin-secret psql -X -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "SHOW shared_preload_libraries"
  check "postgresql: conf.d override applied (max_connections 50)" expect 50 pg_sql pg1 "SHOW max_connections"
  check "postgresql: the postgres password works over TCP" expect 1 inside pg1 env PGPASSWORD=admin-secret psql -X -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "SELECT 1"
  check "postgresql: a wrong password is refused" bash -c "runc exec --user 1001:1001 pg1 env PGPASSWORD=wrong psql -X -At -h 127.0.0.1 -p $PG_PORT -U ape -d ape_timeseries -c 'SELECT 1' 2>&1 | grep -q 'password authentication failed'"
  check "postgresql: pg_dumpall as the backup job runs it" bash -c "runc exec --user 1001:1001 pg1 env PGPASSWORD=admin-secret PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres \
    bash -c 'set -o pipefail; pg_dumpall --clean --if-exists --quote-all-identifiers --no-password | gzip | wc -c' | awk '{n = \$1} END {exit !(n > 1000)}'"
  if [[ -n ${APE_SMOKE_EXPORTERS:-1} && -s $TARS/postgres-exporter.tar ]]; then
    local mounts
    mounts=$(jq -sc . <(bind "$W/pg/secrets" /opt/bitnami/postgresql/secrets ro))
    check "postgres-exporter: starts with the chart's DATA_SOURCE_* settings" start pgx postgres-exporter \
      ".process.env += [\"DATA_SOURCE_URI=127.0.0.1:$PG_PORT/postgres?sslmode=disable\", \"DATA_SOURCE_PASS_FILE=/opt/bitnami/postgresql/secrets/password\", \"DATA_SOURCE_USER=ape\"] | .process.args += [\"--web.listen-address=127.0.0.1:59187\"] | .mounts += $mounts"
    check "postgres-exporter: pg_up 1 on /metrics" wait_for 30 bash -c "curl -fsS http://127.0.0.1:59187/metrics | grep -qx 'pg_up 1'"
    stop pgx
  fi
  stop pg1
  check "postgresql: a second start on the same volume is ready again" pg_start pg2
  check "postgresql: ... within 60 s" wait_for 60 pg_ready pg2
  check "postgresql: ... the data is still there" expect 2 pg_sql pg2 "SELECT count(*) FROM m"
  check "postgresql: ... and the init scripts did not run again" bash -c "! grep -q 'Creating extension' '$W/pg2.log' && grep -q 'Using the existing cluster' '$W/pg2.log'"
  stop pg2
}

# ---------------------------------------------------------------- Redis and Sentinel (the chart's scripts)

# render_redis ARCH DIR: the redis chart's start and health scripts, rendered with helm into DIR.
render_redis() {
  local arch=$1 dir=$2 chart=$CHARTS/redis-22.0.7
  [[ -d $chart && -x $HELM ]] || return 2
  mkdir -p "$dir"
  local -a set=(--set auth.password=redis-secret --set global.security.allowInsecureImages=true --set "architecture=$arch")
  [[ $arch == replication ]] && set+=(--set sentinel.enabled=true --set replica.replicaCount=1 --set sentinel.quorum=1)
  "$HELM" template redis "$chart" -n smoke "${set[@]}" >"$dir/all.yaml" || return 1
  python3 - "$dir" <<'EOF' || return 1
import sys, yaml, os
d = sys.argv[1]
for doc in yaml.safe_load_all(open(os.path.join(d, "all.yaml"))):
    if doc and doc.get("kind") == "ConfigMap":
        for k, v in (doc.get("data") or {}).items():
            open(os.path.join(d, k), "w").write(v)
EOF
  chmod -R a+rX "$dir" && chmod 755 "$dir"/*.sh   # the chart mounts its scripts with mode 0755
}

smoke_redis() {
  [[ -s $TARS/redis.tar ]] || { echo "skip redis: $TARS/redis.tar not built"; return; }
  render_redis standalone "$W/redis"
  case $? in
    0) ;;
    2) echo "skip redis: no chart cache ($CHARTS/redis-22.0.7) or helm ($HELM)"; return ;;
    *) check "redis: chart renders" false; return ;;
  esac
  mkdir -p "$W/redis/secrets" "$W/redis/data" && printf 'redis-secret' >"$W/redis/secrets/redis-password"
  chown 1001:1001 "$W/redis/data" && chmod -R a+rX "$W/redis/secrets"
  printf '127.0.0.1 localhost\n' >"$W/redis/hosts" && chmod a+r "$W/redis/hosts"   # the kubelet's /etc/hosts
  sed -i 's/^port .*/port 56379/' "$W/redis/master.conf" "$W/redis/redis.conf" 2>/dev/null
  local mounts
  mounts=$(jq -sc . <(bind "$W/redis" /opt/bitnami/scripts/start-scripts ro) <(bind "$W/redis" /health ro) \
    <(bind "$W/redis/secrets" /opt/bitnami/redis/secrets ro) <(bind "$W/redis/data" /data) <(bind "$W/redis" /opt/bitnami/redis/mounted-etc ro) \
    <(tmpfs /opt/bitnami/redis/etc) <(bind "$W/redis/hosts" /etc/hosts ro))
  check "redis: the chart's start-master.sh runs redis-server as 1001 with a read-only root" start rm redis \
    ".process.args = [\"/bin/bash\", \"-ec\", \"/opt/bitnami/scripts/start-scripts/start-master.sh\"] | .process.env += [\"BITNAMI_DEBUG=false\", \"REDIS_REPLICATION_MODE=master\", \"ALLOW_EMPTY_PASSWORD=no\", \"REDIS_PASSWORD_FILE=/opt/bitnami/redis/secrets/redis-password\", \"REDIS_TLS_ENABLED=no\", \"REDIS_PORT=56379\"] | .mounts += $mounts"
  check "redis: the chart's readiness script passes" wait_for 30 inside rm env REDIS_PORT=56379 REDIS_PASSWORD_FILE=/opt/bitnami/redis/secrets/redis-password /bin/bash -ec "/health/ping_readiness_local.sh 1"
  check "redis: server is Redis $REDIS_VERSION and needs the password" bash -c "runc exec --user 1001:1001 rm redis-cli -p 56379 --no-auth-warning -a redis-secret INFO server | grep -q 'redis_version:$REDIS_VERSION' && runc exec --user 1001:1001 rm redis-cli -p 56379 PING | grep -q NOAUTH"
  if [[ -s $TARS/redis-exporter.tar ]]; then
    local xm
    xm=$(jq -sc . <(bind "$W/redis/secrets" /secrets ro))
    check "redis-exporter: starts as the chart runs it (bash, redis_exporter from PATH)" start rx redis-exporter \
      ".process.args = [\"/bin/bash\", \"-ec\", \"export REDIS_PASSWORD=\\\"\$(< \$REDIS_PASSWORD_FILE)\\\"\\nredis_exporter\\n\"] | .process.env += [\"REDIS_ALIAS=redis\", \"REDIS_EXPORTER_WEB_LISTEN_ADDRESS=127.0.0.1:59121\", \"REDIS_USER=default\", \"REDIS_PASSWORD_FILE=/secrets/redis-password\", \"REDIS_ADDR=redis://127.0.0.1:56379\"] | .mounts += $xm"
    check "redis-exporter: redis_up 1 on /metrics" wait_for 30 bash -c "curl -fsS http://127.0.0.1:59121/metrics | grep -q '^redis_up 1'"
    stop rx
  fi
  stop rm
}

smoke_sentinel() {
  [[ -s $TARS/redis.tar && -s $TARS/redis-sentinel.tar ]] || { echo "skip sentinel: redis or redis-sentinel not built"; return; }
  render_redis replication "$W/rs"
  case $? in
    0) ;;
    2) echo "skip sentinel: no chart cache or helm"; return ;;
    *) check "sentinel: chart renders" false; return ;;
  esac
  mkdir -p "$W/rs/secrets" "$W/rs/data" "$W/rs/sentinel-etc" && printf 'redis-secret' >"$W/rs/secrets/redis-password"
  chown 1001:1001 "$W/rs/data" "$W/rs/sentinel-etc" && chmod -R a+rX "$W/rs/secrets"
  # The pod's DNS names (headless Service) resolve to loopback here.
  printf '127.0.0.1 localhost redis-node-0 redis-node-0.redis-headless.smoke.svc.cluster.local redis.smoke.svc.cluster.local\n' >"$W/rs/hosts"
  chmod a+r "$W/rs/hosts"
  local common node sent
  common=$(jq -sc . <(bind "$W/rs" /opt/bitnami/scripts/start-scripts ro) <(bind "$W/rs" /health ro) \
    <(bind "$W/rs/secrets" /opt/bitnami/redis/secrets ro) <(bind "$W/rs/data" /data) <(bind "$W/rs/sentinel-etc" /opt/bitnami/redis-sentinel/etc) \
    <(bind "$W/rs/hosts" /etc/hosts ro))
  node=$(jq -sc . <(bind "$W/rs" /opt/bitnami/redis/mounted-etc ro) <(tmpfs /opt/bitnami/redis/etc))
  sent=$(jq -sc . <(bind "$W/rs" /opt/bitnami/redis-sentinel/mounted-etc ro))
  check "sentinel: the chart's start-node.sh starts Redis (no sentinel yet: it becomes master)" start rs-node redis \
    ".hostname = \"redis-node-0\" | .process.args = [\"/bin/bash\", \"-ec\", \"/opt/bitnami/scripts/start-scripts/start-node.sh\"] | .process.env += [\"HOSTNAME=redis-node-0\", \"BITNAMI_DEBUG=false\", \"REDIS_MASTER_PORT_NUMBER=6379\", \"ALLOW_EMPTY_PASSWORD=no\", \"REDIS_PASSWORD_FILE=/opt/bitnami/redis/secrets/redis-password\", \"REDIS_MASTER_PASSWORD_FILE=/opt/bitnami/redis/secrets/redis-password\", \"REDIS_TLS_ENABLED=no\", \"REDIS_PORT=6379\", \"REDIS_SENTINEL_TLS_ENABLED=no\", \"REDIS_SENTINEL_PORT=26379\", \"REDIS_DATA_DIR=/data\"] | .mounts += $common + $node"
  check "sentinel: redis node ready (chart's ping_readiness_local.sh)" wait_for 60 inside rs-node env REDIS_PORT=6379 REDIS_PASSWORD_FILE=/opt/bitnami/redis/secrets/redis-password /bin/bash -ec "/health/ping_readiness_local.sh 1"
  check "sentinel: the chart's start-sentinel.sh starts Sentinel from the redis-sentinel image" start rs-sent redis-sentinel \
    ".hostname = \"redis-node-0\" | .process.args = [\"/bin/bash\", \"-ec\", \"/opt/bitnami/scripts/start-scripts/start-sentinel.sh\"] | .process.env += [\"HOSTNAME=redis-node-0\", \"BITNAMI_DEBUG=false\", \"REDIS_PASSWORD_FILE=/opt/bitnami/redis/secrets/redis-password\", \"REDIS_SENTINEL_TLS_ENABLED=no\", \"REDIS_SENTINEL_PORT=26379\"] | .mounts += $common + $sent"
  check "sentinel: the chart's ping_sentinel.sh passes" wait_for 60 inside rs-sent env REDIS_SENTINEL_PORT=26379 REDIS_PASSWORD_FILE=/opt/bitnami/redis/secrets/redis-password /bin/bash -ec "/health/ping_sentinel.sh 1"
  check "sentinel: Sentinel names redis-node-0 master of mymaster" bash -c "runc exec --user 1001:1001 rs-sent redis-cli -p 26379 --no-auth-warning -a redis-secret SENTINEL get-master-addr-by-name mymaster | head -n1 | grep -q '^redis-node-0.redis-headless'"
  stop rs-sent
  stop rs-node
}

# ---------------------------------------------------------------- test-only images

# as_image_user ID IMAGE UID GID EDIT: start with the image's own user (nobody, Grafana's 472), not the Bitnami uid.
as_image_user() { start "$1" "$2" ".process.user = {uid: ${3:-65534}, gid: ${4:-65534}, additionalGids: []} | $5"; }

smoke_monitoring() {
  local m b
  if [[ -s $TARS/prometheus.tar ]]; then
    mkdir -p "$W/prom/config" "$W/prom/data" && chown 65534:65534 "$W/prom/data"
    printf 'global: {scrape_interval: 5s}\nscrape_configs:\n  - job_name: self\n    static_configs: [{targets: ["127.0.0.1:59090"]}]\n' >"$W/prom/config/prometheus.yml"
    chmod -R a+rX "$W/prom/config"
    m=$(jq -sc . <(bind "$W/prom/config" /etc/config ro) <(bind "$W/prom/data" /data))
    check "prometheus: starts with the chart's arguments (read-only root, nobody)" as_image_user prom prometheus 65534 65534 \
      ".process.args = [\"/bin/prometheus\", \"--config.file=/etc/config/prometheus.yml\", \"--storage.tsdb.path=/data\", \"--web.enable-lifecycle\", \"--web.listen-address=127.0.0.1:59090\"] | .mounts += $m"
    check "prometheus: /-/ready (the chart's readiness probe) answers 200" wait_for 60 curl -fsS http://127.0.0.1:59090/-/ready
    check "prometheus: reports version $PROMETHEUS_TAG and scrapes itself" wait_for 30 bash -c \
      "curl -fsS http://127.0.0.1:59090/api/v1/status/buildinfo | grep -q '\"version\":\"${PROMETHEUS_TAG#v}\"' && curl -fsS 'http://127.0.0.1:59090/api/v1/query?query=up' | grep -q '\"value\":\\[[0-9.]*,\"1\"\\]'"
    if [[ -s $TARS/config-reloader.tar ]]; then
      m=$(jq -sc . <(bind "$W/prom/config" /etc/config ro))
      check "config-reloader: starts with the chart's arguments" as_image_user rel config-reloader 65534 65534 \
        ".process.args = [\"/bin/prometheus-config-reloader\", \"--watched-dir=/etc/config\", \"--listen-address=127.0.0.1:58080\", \"--reload-url=http://127.0.0.1:59090/-/reload\"] | .mounts += $m"
      check "config-reloader: /healthz answers 200" wait_for 30 curl -fsS http://127.0.0.1:58080/healthz
      stop rel
    fi
    stop prom
  fi
  if [[ -s $TARS/alertmanager.tar ]]; then
    mkdir -p "$W/am/config" "$W/am/data" && chown 65534:65534 "$W/am/data"
    printf 'route: {receiver: none}\nreceivers: [{name: none}]\n' >"$W/am/config/alertmanager.yml" && chmod -R a+rX "$W/am/config"
    m=$(jq -sc . <(bind "$W/am/config" /etc/alertmanager ro) <(bind "$W/am/data" /alertmanager))
    check "alertmanager: starts with the chart's arguments" as_image_user am alertmanager 65534 65534 \
      ".process.args = [\"/bin/alertmanager\", \"--storage.path=/alertmanager\", \"--config.file=/etc/alertmanager/alertmanager.yml\", \"--web.listen-address=127.0.0.1:59093\", \"--cluster.listen-address=\"] | .mounts += $m"
    check "alertmanager: / (the chart's probes) and /-/ready answer 200" wait_for 30 bash -c "curl -fsS http://127.0.0.1:59093/ >/dev/null && curl -fsS http://127.0.0.1:59093/-/ready"
    stop am
  fi
  if [[ -s $TARS/kube-state-metrics.tar ]]; then
    b=$(bundle kube-state-metrics)
    check "kube-state-metrics: the binary runs and reports its version (serving needs an API server)" bash -c \
      "chroot --userspec=65534:65534 $b/rootfs /kube-state-metrics version 2>&1 | grep -q '${KUBE_STATE_METRICS_TAG#v}'"
  fi
  if [[ -s $TARS/k8s-sidecar.tar ]]; then
    b=$(bundle k8s-sidecar)
    check "k8s-sidecar: its modules import on Debian's python3 (JSON and logfmt logging)" bash -c \
      "for f in JSON LOGFMT; do chroot --userspec=65534:65534 $b/rootfs env -C /app LOG_FORMAT=\$f python3 -c 'import sidecar, resources, helpers, healthz; import logging; logging.getLogger(\"smoke\").info(\"ok\")' || exit 1; done"
  fi
  if [[ -s $TARS/grafana-standin.tar ]]; then
    mkdir -p "$W/gf/provisioning/datasources" "$W/gf/provisioning/dashboards" "$W/gf/dashboards"
    printf 'apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n    url: http://prometheus-server\n  - name: TimescaleDB\n    type: postgres\n    url: postgresql:5432\n    secureJsonData: {password: $TIMESCALEDB_PASSWORD}\n' >"$W/gf/provisioning/datasources/datasources.yaml"
    printf 'apiVersion: 1\nproviders:\n  - name: sidecarProvider\n    options: {path: /tmp/dashboards}\n' >"$W/gf/provisioning/dashboards/sc-dashboardproviders.yaml"
    chmod -R a+rwX "$W/gf"
    m=$(jq -sc . <(bind "$W/gf/provisioning" /etc/grafana/provisioning ro) <(bind "$W/gf/dashboards" /tmp/dashboards))
    check "grafana-standin: starts as Grafana's uid 472 with the chart's provisioning mounts" as_image_user gf grafana-standin 472 0 \
      ".process.env += [\"GF_SECURITY_ADMIN_USER=admin\", \"GF_SECURITY_ADMIN_PASSWORD=pw\", \"GF_SERVER_HTTP_PORT=53000\", \"TIMESCALEDB_PASSWORD=x\", \"GF_PATHS_PROVISIONING=/etc/grafana/provisioning\"] | .mounts += $m"
    check "grafana-standin: /api/health answers 200 and says it is a stand-in" wait_for 20 bash -c "curl -fsS http://127.0.0.1:53000/api/health | grep -q '\"standin\":true'"
    printf '{"title": "API overview", "uid": "api"}' >"$W/gf/dashboards/api.json"
    check "grafana-standin: the sidecar's reload call (admin auth) picks up a new dashboard" bash -c \
      "curl -fsS -X POST -u admin:pw http://127.0.0.1:53000/api/admin/provisioning/dashboards/reload && curl -fsS -u admin:pw http://127.0.0.1:53000/api/search | grep -q 'API overview' && [[ \$(curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:53000/api/admin/provisioning/dashboards/reload) == 401 ]]"
    check "grafana-standin: data sources provisioned, the password variable reported as set" bash -c \
      "curl -fsS -u admin:pw http://127.0.0.1:53000/api/datasources | grep -q '\"password\":\"set\"'"
    stop gf
  fi
}

main() {
  [[ $(id -u) == 0 ]] || { echo "run as root (runc)"; exit 1; }
  local t
  for t in skopeo umoci runc jq curl; do command -v "$t" >/dev/null || { echo "$t not found (apt-get install skopeo umoci runc jq curl)"; exit 1; }; done
  [[ $# -gt 0 ]] || set -- postgresql redis sentinel monitoring
  for t in "$@"; do
    case $t in
      postgresql | redis | sentinel | monitoring) "smoke_$t" ;;
      *) echo "unknown: $t (postgresql, redis, sentinel, monitoring)"; exit 2 ;;
    esac
  done
  echo "$PASS passed, $FAIL failed"
  [[ $FAIL == 0 ]]
}

main "$@"

#!/bin/bash
# The PostgreSQL image's runtime: reads the settings the Bitnami postgresql chart passes (the
# POSTGRESQL_* variables and their POSTGRES_* aliases, *_FILE variants for secrets), prepares the
# data directory and the configuration, and gives init scripts (*.sh files in
# /docker-entrypoint-initdb.d, which are sourced) the functions info/warn/error/debug and
# postgresql_execute DB USER PASSWORD [psql args] (SQL on stdin).
#
# Layout (what the chart mounts): data in $POSTGRESQL_VOLUME_DIR (/bitnami/postgresql), generated
# configuration in /opt/bitnami/postgresql/conf, sockets and markers in /opt/bitnami/postgresql/tmp,
# secrets under /opt/bitnami/postgresql/secrets, extra configuration in $POSTGRESQL_VOLUME_DIR/conf/conf.d.
# shellcheck disable=SC2034 # variables are read by the scripts that source this file

# shellcheck source=/dev/null
. /opt/bitnami/scripts/liblog.sh
# shellcheck source=/dev/null
. /opt/bitnami/scripts/libos.sh
# shellcheck source=/dev/null
. /opt/bitnami/scripts/libvalidations.sh

APP_NAME=postgresql
POSTGRESQL_BASE_DIR=/opt/bitnami/postgresql
POSTGRESQL_BIN_DIR=$POSTGRESQL_BASE_DIR/bin
POSTGRESQL_CONF_DIR=$POSTGRESQL_BASE_DIR/conf
POSTGRESQL_TMP_DIR=$POSTGRESQL_BASE_DIR/tmp
POSTGRESQL_CONF_FILE=$POSTGRESQL_CONF_DIR/postgresql.conf
POSTGRESQL_PGHBA_FILE=$POSTGRESQL_CONF_DIR/pg_hba.conf
POSTGRESQL_INITIALIZED_MARKER=$POSTGRESQL_TMP_DIR/.initialized
POSTGRESQL_INITSCRIPTS_DIR=/docker-entrypoint-initdb.d
POSTGRESQL_PREINITSCRIPTS_DIR=/docker-entrypoint-preinitdb.d
export PATH=$POSTGRESQL_BIN_DIR:$PATH
# The major version of the server binaries ("postgres (PostgreSQL) 17.12 (Debian ...)" -> 17).
POSTGRESQL_MAJOR=$(postgres --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')

# pg_env NAME [DEFAULT]: sets POSTGRESQL_<NAME> from itself, else POSTGRES_<NAME>, else the value
# of the file named by POSTGRESQL_<NAME>_FILE or POSTGRES_<NAME>_FILE, else DEFAULT.
pg_env() {
  local name=$1 default=${2:-} long=POSTGRESQL_$1 short=POSTGRES_$1 file=""
  local value=${!long:-${!short:-}}
  if [[ -z $value ]]; then
    local lf=${long}_FILE sf=${short}_FILE
    file=${!lf:-${!sf:-}}
    if [[ -n $file ]]; then
      [[ -r $file ]] || { error "$lf/$sf names $file, which cannot be read"; return 1; }
      value=$(<"$file")
    fi
  fi
  printf -v "$long" '%s' "${value:-$default}"
  export "${long?}"
}

# postgresql_load_env: every setting the runtime reads, with its default.
postgresql_load_env() {
  pg_env VOLUME_DIR /bitnami/postgresql
  POSTGRESQL_DATA_DIR=${POSTGRESQL_DATA_DIR:-${PGDATA:-$POSTGRESQL_VOLUME_DIR/data}}
  export POSTGRESQL_DATA_DIR PGDATA=$POSTGRESQL_DATA_DIR
  POSTGRESQL_MOUNTED_CONF_DIR=${POSTGRESQL_MOUNTED_CONF_DIR:-$POSTGRESQL_VOLUME_DIR/conf}
  pg_env PORT_NUMBER 5432
  pg_env USERNAME "${POSTGRES_USER:-${POSTGRESQL_USER:-postgres}}"
  pg_env PASSWORD
  pg_env POSTGRES_PASSWORD
  pg_env DATABASE "${POSTGRES_DB:-postgres}"
  pg_env REPLICATION_MODE master
  pg_env REPLICATION_USER
  pg_env REPLICATION_PASSWORD
  pg_env MASTER_HOST
  pg_env MASTER_PORT_NUMBER 5432
  pg_env CLUSTER_APP_NAME walreceiver
  pg_env NUM_SYNCHRONOUS_REPLICAS 0
  pg_env SYNCHRONOUS_COMMIT_MODE on
  pg_env INITDB_ARGS
  pg_env INITDB_WAL_DIR "${POSTGRES_INITDB_WALDIR:-}"
  pg_env SHARED_PRELOAD_LIBRARIES pgaudit
  pg_env PGAUDIT_LOG
  pg_env PGAUDIT_LOG_CATALOG
  pg_env LOG_HOSTNAME false
  pg_env LOG_CONNECTIONS false
  pg_env LOG_DISCONNECTIONS false
  pg_env LOG_LINE_PREFIX
  pg_env LOG_TIMEZONE
  pg_env TIMEZONE
  pg_env CLIENT_MIN_MESSAGES error
  pg_env MAX_CONNECTIONS
  pg_env PASSWORD_ENCRYPTION scram-sha-256
  pg_env ENABLE_LDAP no
  pg_env ENABLE_TLS no
  pg_env TLS_CERT_FILE
  pg_env TLS_KEY_FILE
  pg_env TLS_CA_FILE
  pg_env TLS_CRL_FILE
  pg_env TLS_PREFER_SERVER_CIPHERS yes
  # The postgres superuser's password: its own, else (when the app user is postgres) the app's.
  if [[ -z $POSTGRESQL_POSTGRES_PASSWORD && $POSTGRESQL_USERNAME == postgres ]]; then
    POSTGRESQL_POSTGRES_PASSWORD=$POSTGRESQL_PASSWORD
  fi
  pg_env INITSCRIPTS_USERNAME "$POSTGRESQL_USERNAME"
  if [[ $POSTGRESQL_INITSCRIPTS_USERNAME == postgres ]]; then
    pg_env INITSCRIPTS_PASSWORD "$POSTGRESQL_POSTGRES_PASSWORD"
  else
    pg_env INITSCRIPTS_PASSWORD "$POSTGRESQL_PASSWORD"
  fi
  ALLOW_EMPTY_PASSWORD=${ALLOW_EMPTY_PASSWORD:-no}
}

# postgresql_validate: refuses settings this image cannot honour, all problems at once.
postgresql_validate() {
  local bad=0
  if ! is_boolean_yes "$ALLOW_EMPTY_PASSWORD"; then
    if [[ $POSTGRESQL_REPLICATION_MODE == master && -z $POSTGRESQL_PASSWORD ]]; then
      error "POSTGRESQL_PASSWORD (or POSTGRES_PASSWORD[_FILE]) is empty; set it, or ALLOW_EMPTY_PASSWORD=yes for a throw-away server"
      bad=1
    fi
  fi
  case $POSTGRESQL_REPLICATION_MODE in
    master) ;;
    slave | replica)
      [[ -n $POSTGRESQL_MASTER_HOST ]] || { error "a replica needs POSTGRESQL_MASTER_HOST"; bad=1; }
      [[ -n $POSTGRESQL_REPLICATION_USER ]] || { error "a replica needs POSTGRESQL_REPLICATION_USER"; bad=1; }
      ;;
    *) error "POSTGRESQL_REPLICATION_MODE must be master or slave, not '$POSTGRESQL_REPLICATION_MODE'"; bad=1 ;;
  esac
  if [[ -n $POSTGRESQL_REPLICATION_USER && -z $POSTGRESQL_REPLICATION_PASSWORD ]] && ! is_boolean_yes "$ALLOW_EMPTY_PASSWORD"; then
    error "POSTGRESQL_REPLICATION_USER is set without POSTGRESQL_REPLICATION_PASSWORD[_FILE]"
    bad=1
  fi
  if is_boolean_yes "$POSTGRESQL_ENABLE_LDAP"; then
    error "LDAP authentication (POSTGRESQL_ENABLE_LDAP) is not supported by this image"
    bad=1
  fi
  if is_boolean_yes "$POSTGRESQL_ENABLE_TLS"; then
    local f
    for f in POSTGRESQL_TLS_CERT_FILE POSTGRESQL_TLS_KEY_FILE; do
      [[ -n ${!f} && -r ${!f} ]] || { error "TLS is on but $f ('${!f}') cannot be read"; bad=1; }
    done
  fi
  return $bad
}

# pg_bool VALUE: on/off for a setting from a yes/no/true/false variable.
pg_bool() { if is_boolean_yes "$1"; then echo on; else echo off; fi; }

# pg_quote VALUE: VALUE as a single-quoted configuration string.
pg_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# postgresql_write_conf: postgresql.conf in the configuration directory, generated from the
# settings, or the mounted one ($POSTGRESQL_VOLUME_DIR/conf/postgresql.conf) when there is one;
# the files of the mounted conf.d directory are included last, so they win.
postgresql_write_conf() {
  mkdir -p "$POSTGRESQL_CONF_DIR"
  if [[ -f $POSTGRESQL_MOUNTED_CONF_DIR/postgresql.conf ]]; then
    info "Using the mounted $POSTGRESQL_MOUNTED_CONF_DIR/postgresql.conf"
    cp "$POSTGRESQL_MOUNTED_CONF_DIR/postgresql.conf" "$POSTGRESQL_CONF_FILE"
  else
    {
      echo "# Generated at container start from the POSTGRESQL_* settings; edits are lost at restart."
      echo "listen_addresses = '*'"
      echo "port = $POSTGRESQL_PORT_NUMBER"
      echo "unix_socket_directories = '/tmp'"
      echo "password_encryption = $(pg_quote "$POSTGRESQL_PASSWORD_ENCRYPTION")"
      echo "shared_preload_libraries = $(pg_quote "$POSTGRESQL_SHARED_PRELOAD_LIBRARIES")"
      echo "log_hostname = $(pg_bool "$POSTGRESQL_LOG_HOSTNAME")"
      echo "log_connections = $(pg_bool "$POSTGRESQL_LOG_CONNECTIONS")"
      echo "log_disconnections = $(pg_bool "$POSTGRESQL_LOG_DISCONNECTIONS")"
      echo "client_min_messages = $(pg_quote "$POSTGRESQL_CLIENT_MIN_MESSAGES")"
      [[ -n $POSTGRESQL_LOG_LINE_PREFIX ]] && echo "log_line_prefix = $(pg_quote "$POSTGRESQL_LOG_LINE_PREFIX")"
      [[ -n $POSTGRESQL_LOG_TIMEZONE ]] && echo "log_timezone = $(pg_quote "$POSTGRESQL_LOG_TIMEZONE")"
      [[ -n $POSTGRESQL_TIMEZONE ]] && echo "timezone = $(pg_quote "$POSTGRESQL_TIMEZONE")"
      [[ -n $POSTGRESQL_MAX_CONNECTIONS ]] && echo "max_connections = $POSTGRESQL_MAX_CONNECTIONS"
      if [[ ,$POSTGRESQL_SHARED_PRELOAD_LIBRARIES, == *,pgaudit,* ]]; then
        [[ -n $POSTGRESQL_PGAUDIT_LOG ]] && echo "pgaudit.log = $(pg_quote "$POSTGRESQL_PGAUDIT_LOG")"
        [[ -n $POSTGRESQL_PGAUDIT_LOG_CATALOG ]] && echo "pgaudit.log_catalog = $(pg_quote "$POSTGRESQL_PGAUDIT_LOG_CATALOG")"
      fi
      # No usage reports leave the cluster unless an operator turns them on in conf.d.
      [[ ,$POSTGRESQL_SHARED_PRELOAD_LIBRARIES, == *,timescaledb,* ]] && echo "timescaledb.telemetry_level = off"
      echo "wal_level = replica"
      echo "max_wal_senders = 16"
      echo "max_replication_slots = 16"
      echo "wal_keep_size = '128MB'"
      echo "hot_standby = on"
      if [[ $POSTGRESQL_REPLICATION_MODE == master && $POSTGRESQL_NUM_SYNCHRONOUS_REPLICAS -gt 0 ]]; then
        echo "synchronous_commit = $(pg_quote "$POSTGRESQL_SYNCHRONOUS_COMMIT_MODE")"
        echo "synchronous_standby_names = 'ANY $POSTGRESQL_NUM_SYNCHRONOUS_REPLICAS (*)'"
      fi
      if is_boolean_yes "$POSTGRESQL_ENABLE_TLS"; then
        echo "ssl = on"
        echo "ssl_cert_file = $(pg_quote "$POSTGRESQL_TLS_CERT_FILE")"
        echo "ssl_key_file = $(pg_quote "$POSTGRESQL_TLS_KEY_FILE")"
        [[ -n $POSTGRESQL_TLS_CA_FILE ]] && echo "ssl_ca_file = $(pg_quote "$POSTGRESQL_TLS_CA_FILE")"
        [[ -n $POSTGRESQL_TLS_CRL_FILE ]] && echo "ssl_crl_file = $(pg_quote "$POSTGRESQL_TLS_CRL_FILE")"
        echo "ssl_prefer_server_ciphers = $(pg_bool "$POSTGRESQL_TLS_PREFER_SERVER_CIPHERS")"
      fi
    } >"$POSTGRESQL_CONF_FILE"
  fi
  {
    echo "hba_file = $(pg_quote "$POSTGRESQL_PGHBA_FILE")"
    echo "external_pid_file = $(pg_quote "$POSTGRESQL_TMP_DIR/postgresql.pid")"
    # An if, not `[[ ]] && echo`: as the group's last command a false test would make the function
    # fail, and the entrypoint (set -e) exit without a word, whenever no conf.d is mounted.
    if [[ -d $POSTGRESQL_MOUNTED_CONF_DIR/conf.d ]]; then
      echo "include_dir = $(pg_quote "$POSTGRESQL_MOUNTED_CONF_DIR/conf.d")"
    fi
  } >>"$POSTGRESQL_CONF_FILE"
}

# postgresql_write_hba: pg_hba.conf, the mounted one when there is one; otherwise passwords
# (scram-sha-256, or trust with ALLOW_EMPTY_PASSWORD) for every database from anywhere, and
# replication connections for the replication user.
postgresql_write_hba() {
  if [[ -f $POSTGRESQL_MOUNTED_CONF_DIR/pg_hba.conf ]]; then
    info "Using the mounted $POSTGRESQL_MOUNTED_CONF_DIR/pg_hba.conf"
    cp "$POSTGRESQL_MOUNTED_CONF_DIR/pg_hba.conf" "$POSTGRESQL_PGHBA_FILE"
    return
  fi
  local method=scram-sha-256
  [[ $POSTGRESQL_PASSWORD_ENCRYPTION == md5 ]] && method=md5
  is_boolean_yes "$ALLOW_EMPTY_PASSWORD" && [[ -z $POSTGRESQL_PASSWORD ]] && method=trust
  {
    echo "# TYPE  DATABASE     USER  ADDRESS    METHOD"
    echo "local   all          all              $method"
    echo "host    all          all   0.0.0.0/0  $method"
    echo "host    all          all   ::/0       $method"
    if [[ -n $POSTGRESQL_REPLICATION_USER ]]; then
      echo "host    replication  $POSTGRESQL_REPLICATION_USER  0.0.0.0/0  $method"
      echo "host    replication  $POSTGRESQL_REPLICATION_USER  ::/0       $method"
    fi
  } >"$POSTGRESQL_PGHBA_FILE"
}

# postgresql_execute DB USER PASSWORD [psql args...]: runs the SQL on stdin against the server this
# setup started (its socket), stopping at the first error.
postgresql_execute() {
  local db=${1:-postgres} user=${2:-postgres} password=${3:-}
  shift 3 || shift $#
  PGPASSWORD=$password psql -X -q -v ON_ERROR_STOP=1 -h "${POSTGRESQL_SOCKET_DIR:-/tmp}" -p "$POSTGRESQL_PORT_NUMBER" -U "$user" -d "$db" "$@"
}

# postgresql_start_local: a server for the setup steps, on a private socket only (no TCP, so
# probes and clients do not see it), trusting local connections while it runs.
postgresql_start_local() {
  POSTGRESQL_SOCKET_DIR=$POSTGRESQL_TMP_DIR
  printf 'local all all trust\n' >"$POSTGRESQL_TMP_DIR/pg_hba.setup.conf"
  pg_ctl -D "$POSTGRESQL_DATA_DIR" -w -t 120 -l "$POSTGRESQL_TMP_DIR/setup.log" \
    -o "-c config_file=$POSTGRESQL_CONF_FILE -c listen_addresses='' -c unix_socket_directories='$POSTGRESQL_TMP_DIR' -c hba_file='$POSTGRESQL_TMP_DIR/pg_hba.setup.conf'" \
    start >/dev/null || { cat "$POSTGRESQL_TMP_DIR/setup.log" >&2; return 1; }
}

postgresql_stop_local() {
  pg_ctl -D "$POSTGRESQL_DATA_DIR" -w -t 120 -m fast stop >/dev/null
  rm -f "$POSTGRESQL_TMP_DIR/pg_hba.setup.conf"
  unset POSTGRESQL_SOCKET_DIR
}

# pg_ident NAME: NAME as a quoted SQL identifier.
pg_ident() { printf '"%s"' "${1//\"/\"\"}"; }

# postgresql_create_roles: the application user and database, the postgres password and the
# replication user, on a freshly initialised cluster. Passwords travel as psql variables.
postgresql_create_roles() {
  local sql="" user db
  user=$(pg_ident "$POSTGRESQL_USERNAME")
  db=$(pg_ident "$POSTGRESQL_DATABASE")
  if [[ -n $POSTGRESQL_POSTGRES_PASSWORD ]]; then
    sql+="ALTER ROLE postgres PASSWORD :'postgres_password';"$'\n'
  fi
  if [[ $POSTGRESQL_USERNAME != postgres ]]; then
    sql+="CREATE ROLE $user LOGIN PASSWORD :'user_password';"$'\n'
  fi
  if [[ $POSTGRESQL_DATABASE != postgres ]]; then
    sql+="CREATE DATABASE $db OWNER $user;"$'\n'
  fi
  if [[ -n $POSTGRESQL_REPLICATION_USER ]]; then
    sql+="CREATE ROLE $(pg_ident "$POSTGRESQL_REPLICATION_USER") REPLICATION LOGIN PASSWORD :'replication_password';"$'\n'
  fi
  [[ -n $sql ]] || return 0
  printf '%s' "$sql" | postgresql_execute postgres postgres "" \
    -v postgres_password="$POSTGRESQL_POSTGRES_PASSWORD" -v user_password="$POSTGRESQL_PASSWORD" \
    -v replication_password="$POSTGRESQL_REPLICATION_PASSWORD"
}

# postgresql_run_scripts DIR: every *.sh (executed when executable, else sourced), *.sql and
# *.sql.gz file of DIR in name order; SQL runs in $POSTGRESQL_DATABASE as the init-scripts user.
postgresql_run_scripts() {
  local dir=$1 f
  [[ -d $dir ]] || return 0
  while IFS= read -r -d '' f; do
    case $f in
      *.sh)
        if [[ -x $f ]]; then
          info "Executing $f"
          "$f"
        else
          info "Sourcing $f"
          # shellcheck source=/dev/null
          . "$f"
        fi
        ;;
      *.sql)
        info "Running $f"
        postgresql_execute "$POSTGRESQL_DATABASE" "$POSTGRESQL_INITSCRIPTS_USERNAME" "$POSTGRESQL_INITSCRIPTS_PASSWORD" <"$f"
        ;;
      *.sql.gz)
        info "Running $f"
        gunzip -c "$f" | postgresql_execute "$POSTGRESQL_DATABASE" "$POSTGRESQL_INITSCRIPTS_USERNAME" "$POSTGRESQL_INITSCRIPTS_PASSWORD"
        ;;
      *) debug "Ignoring $f" ;;
    esac
  done < <(find -L "$dir" -mindepth 1 -maxdepth 1 -type f -print0 | sort -z)
}

# postgresql_initdb: a new cluster in the data directory, the postgres password set at once.
postgresql_initdb() {
  local -a args=(-D "$POSTGRESQL_DATA_DIR" -U postgres -E UTF8 --auth-local=trust --auth-host=scram-sha-256)
  local pwfile=""
  if [[ -n $POSTGRESQL_POSTGRES_PASSWORD ]]; then
    pwfile=$POSTGRESQL_TMP_DIR/.pwfile
    (umask 077 && printf '%s\n' "$POSTGRESQL_POSTGRES_PASSWORD" >"$pwfile")
    args+=(--pwfile="$pwfile")
  fi
  [[ -n $POSTGRESQL_INITDB_WAL_DIR ]] && args+=(--waldir="$POSTGRESQL_INITDB_WAL_DIR")
  # shellcheck disable=SC2206 # extra initdb arguments are given as one space-separated string
  [[ -n $POSTGRESQL_INITDB_ARGS ]] && args+=($POSTGRESQL_INITDB_ARGS)
  info "Initialising a new cluster in $POSTGRESQL_DATA_DIR"
  initdb "${args[@]}" >"$POSTGRESQL_TMP_DIR/initdb.log" 2>&1 || { cat "$POSTGRESQL_TMP_DIR/initdb.log" >&2; rm -f "$pwfile"; return 1; }
  rm -f "$pwfile"
}

# postgresql_clone_primary: a replica's data directory, copied from the primary (retried while
# the primary is not up yet) and set to follow it.
postgresql_clone_primary() {
  info "Copying the primary $POSTGRESQL_MASTER_HOST:$POSTGRESQL_MASTER_PORT_NUMBER"
  local conninfo="host=$POSTGRESQL_MASTER_HOST port=$POSTGRESQL_MASTER_PORT_NUMBER user=$POSTGRESQL_REPLICATION_USER application_name=$POSTGRESQL_CLUSTER_APP_NAME"
  local i
  for ((i = 1; i <= 30; i++)); do
    if PGPASSWORD=$POSTGRESQL_REPLICATION_PASSWORD pg_basebackup -D "$POSTGRESQL_DATA_DIR" -d "$conninfo" -X stream -R -w >"$POSTGRESQL_TMP_DIR/basebackup.log" 2>&1; then
      return 0
    fi
    warn "pg_basebackup failed ($(tail -n1 "$POSTGRESQL_TMP_DIR/basebackup.log")); retrying in 10 s"
    rm -rf "${POSTGRESQL_DATA_DIR:?}"/* 2>/dev/null || true
    sleep 10
  done
  error "could not copy the primary"
  return 1
}

# postgresql_setup: everything before the server starts; idempotent at every container start.
postgresql_setup() {
  postgresql_validate
  mkdir -p "$POSTGRESQL_CONF_DIR" "$POSTGRESQL_TMP_DIR"
  rm -f "$POSTGRESQL_INITIALIZED_MARKER"
  postgresql_write_conf
  postgresql_write_hba
  local fresh=false
  if [[ ! -f $POSTGRESQL_DATA_DIR/PG_VERSION ]]; then
    fresh=true
    mkdir -p "$POSTGRESQL_DATA_DIR"
    chmod 700 "$POSTGRESQL_DATA_DIR"
    postgresql_run_scripts "$POSTGRESQL_PREINITSCRIPTS_DIR"
    if [[ $POSTGRESQL_REPLICATION_MODE == master ]]; then
      postgresql_initdb
    else
      postgresql_clone_primary
    fi
  else
    local have
    have=$(<"$POSTGRESQL_DATA_DIR/PG_VERSION")
    if [[ $have != "${POSTGRESQL_MAJOR:-$have}" ]]; then
      error "$POSTGRESQL_DATA_DIR holds a PostgreSQL $have cluster; this image runs PostgreSQL $POSTGRESQL_MAJOR (upgrade it with pg_upgrade first)"
      return 1
    fi
    info "Using the existing cluster in $POSTGRESQL_DATA_DIR"
    chmod 700 "$POSTGRESQL_DATA_DIR" 2>/dev/null || true
  fi
  if [[ $POSTGRESQL_REPLICATION_MODE == master ]]; then
    local scripts=false
    [[ ! -f $POSTGRESQL_VOLUME_DIR/.user_scripts_initialized ]] && [[ -d $POSTGRESQL_INITSCRIPTS_DIR ]] &&
      [[ -n $(find -L "$POSTGRESQL_INITSCRIPTS_DIR" -mindepth 1 -maxdepth 1 -type f 2>/dev/null) ]] && scripts=true
    if [[ $fresh == true || $scripts == true ]]; then
      postgresql_start_local
      [[ $fresh == true ]] && postgresql_create_roles
      if [[ $scripts == true ]]; then
        postgresql_run_scripts "$POSTGRESQL_INITSCRIPTS_DIR"
        touch "$POSTGRESQL_VOLUME_DIR/.user_scripts_initialized"
      fi
      postgresql_stop_local
    fi
  fi
  touch "$POSTGRESQL_INITIALIZED_MARKER" "$POSTGRESQL_VOLUME_DIR/.initialized"
}

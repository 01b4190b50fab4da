#!/bin/bash
# Runs the server in the foreground with the configuration the entrypoint wrote.
set -euo pipefail
# shellcheck source=../libpostgresql.sh
. /opt/bitnami/scripts/libpostgresql.sh
postgresql_load_env
info "** Starting PostgreSQL **"
exec postgres -D "$POSTGRESQL_DATA_DIR" -c config_file="$POSTGRESQL_CONF_FILE"

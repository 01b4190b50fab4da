#!/bin/bash
# Image entrypoint: prepares data directory and configuration when the command is the server
# (run.sh), then runs the command.
set -euo pipefail
# shellcheck source=../libpostgresql.sh
. /opt/bitnami/scripts/libpostgresql.sh
postgresql_load_env
if [[ $* == *"/opt/bitnami/scripts/postgresql/run.sh"* ]]; then
  info "** Setting up PostgreSQL $POSTGRESQL_MAJOR **"
  postgresql_setup
  info "** PostgreSQL setup finished **"
fi
exec "$@"

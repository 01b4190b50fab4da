#!/bin/bash
# Logging helpers for the images' runtime scripts and for the charts' start scripts, which source
# this file by this path and call info/warn/error/debug. Messages go to stderr, so a caller can
# capture a function's output without the log lines.

# log LEVEL MESSAGE...: one line "<app> <time> LEVEL ==> message" on stderr.
log() {
  local level=$1
  shift
  printf '%s %s %-5s ==> %s\n' "${APP_NAME:-${BITNAMI_APP_NAME:-app}}" "$(date '+%H:%M:%S.%2N')" "$level" "$*" >&2
}
info() { log INFO "$@"; }
warn() { log WARN "$@"; }
error() { log ERROR "$@"; }
# debug prints only when BITNAMI_DEBUG is true (the charts' image.debug setting).
debug() {
  case "${BITNAMI_DEBUG:-false}" in
    1 | [Tt][Rr][Uu][Ee] | [Yy][Ee][Ss]) log DEBUG "$@" ;;
  esac
  return 0
}

#!/bin/bash
# Process helpers the charts' start scripts call (sourced by this path).
# shellcheck source=liblog.sh
. /opt/bitnami/scripts/liblog.sh

# retry_while COMMAND [TRIES=12] [PAUSE=5]: runs COMMAND (one string, split on whitespace, the
# way the charts' scripts build it, e.g. "eval VAR=\"\$X\" redis-cli ...") until it succeeds or
# TRIES runs have failed, sleeping PAUSE seconds between runs. Its stdout is the command's stdout.
retry_while() {
  local -a cmd
  read -r -a cmd <<<"${1:?missing command}"
  local tries=${2:-12} pause=${3:-5} i
  for ((i = 1; i <= tries; i++)); do
    "${cmd[@]}" && return 0
    ((i < tries)) && sleep "$pause"
  done
  return 1
}

# am_i_root: true when running as uid 0.
am_i_root() { [[ $(id -u) == 0 ]]; }

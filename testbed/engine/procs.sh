# shellcheck shell=bash
# Background processes of the engine scripts (the control plane's in cluster.sh, the node's in
# node.sh), each known by its name in a directory of its own: DIR/NAME.pid and DIR/NAME.log.
# Sourced by cluster.sh; uses its log, die and TIMEOUT.

# proc_running DIR NAME: the process of DIR/NAME.pid is alive.
proc_running() { [[ -f $1/$2.pid ]] && kill -0 "$(cat "$1/$2.pid")" 2>/dev/null; }

# proc_start DIR NAME CMD...: CMD detached (own session, no stdin), output in DIR/NAME.log, pid in DIR/NAME.pid.
proc_start() {
  local dir=$1 name=$2
  shift 2
  setsid "$@" >"$dir/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
  log "started $name (pid $!, log $dir/$name.log)"
}

# proc_wait DIR LINES WHAT NAME CMD...: retries CMD every half second until it succeeds; dies, with
# the last LINES lines of NAME's log, when NAME exits first or after TIMEOUT seconds. An empty NAME
# watches no process.
proc_wait() {
  local dir=$1 lines=$2 what=$3 name=$4 i
  shift 4
  for ((i = 0; i < TIMEOUT * 2; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    [[ -z $name ]] || proc_running "$dir" "$name" || { tail -n "$lines" "$dir/$name.log" >&2; die "$name exited while waiting for $what"; }
    sleep 0.5
  done
  [[ -z $name ]] || tail -n "$lines" "$dir/$name.log" >&2
  die "timed out after ${TIMEOUT}s waiting for $what"
}

# proc_stop DIR NAME TRIES: SIGTERM to the process of DIR/NAME.pid, SIGKILL if it is still alive
# after TRIES quarter seconds; the pid file goes either way.
proc_stop() {
  local dir=$1 name=$2 tries=$3 pid i
  [[ -f $dir/$name.pid ]] || return 0
  pid=$(cat "$dir/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < tries; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$dir/$name.pid"
}

#!/bin/bash
# File helpers the charts' start scripts call (sourced by this path).

# replace_in_file FILE MATCH REPLACEMENT [EXTENDED=true]: replaces every match of the sed regular
# expression MATCH (extended syntax unless EXTENDED is false) by REPLACEMENT. The file is rewritten
# in place (same inode), so it works where only the file, not its directory, is writable.
replace_in_file() {
  local file=${1:?missing file} match=${2:?missing pattern} replacement=${3:-} extended=${4:-true}
  local -a opts=()
  [[ $extended == true ]] && opts=(-E)
  local result
  result=$(sed "${opts[@]}" "s@${match}@${replacement}@g" "$file") || return 1
  printf '%s\n' "$result" >"$file"
}

# remove_in_file FILE MATCH [EXTENDED=true]: deletes the lines matching MATCH.
remove_in_file() {
  local file=${1:?missing file} match=${2:?missing pattern} extended=${3:-true}
  local -a opts=()
  [[ $extended == true ]] && opts=(-E)
  local result
  result=$(sed "${opts[@]}" "\@${match}@d" "$file") || return 1
  printf '%s\n' "$result" >"$file"
}

#!/usr/bin/env bash
# Fills the chart cache (docs/operations.md "Air-gapped charts") from clones of the charts' source
# repositories instead of a chart registry: each chart directory as it was at the commit of its
# pinned release, with charts/ filled with its subcharts at the versions its Chart.lock names.
#
#   testbed/tools/chart-cache.sh BITNAMI_CHARTS_GIT PROMETHEUS_COMMUNITY_GIT GRAFANA_COMMUNITY_GIT
#
# Each argument is a git directory (a clone or a bare mirror) of bitnami/charts,
# prometheus-community/helm-charts and grafana-community/helm-charts. Target:
# ${APE_CHART_CACHE:-$HOME/.cache/ape-2026-charts}/<chart>-<version>. A chart already there is left
# alone. A snapshot mirror that lacks large blobs outside the chart directories makes git archive
# print "invalid object" for them; the chart files are complete all the same. Neo4j's chart is not in any of these repositories (Neo4j publishes it from its own
# repository), so the cache holds the other four.
set -euo pipefail

[[ $# -eq 3 ]] || { sed -n '2,12p' "$0" >&2; exit 2; }
BITNAMI=$1 PROMETHEUS=$2 GRAFANA=$3
CACHE=${APE_CHART_CACHE:-$HOME/.cache/ape-2026-charts}
mkdir -p "$CACHE"

# extract GIT COMMIT PATH VERSION DEST: the directory PATH at COMMIT into DEST, after checking
# that its Chart.yaml says VERSION.
extract() {
  local git=$1 commit=$2 dir=$3 version=$4 dest=$5
  local found
  found=$(git --git-dir="$git" show "$commit:$dir/Chart.yaml" | sed -n 's/^version: *//p')
  [[ $found == "$version" ]] || { echo "$dir at $commit is version $found, not $version" >&2; return 1; }
  mkdir -p "$dest"
  git --git-dir="$git" archive "$commit" "$dir" | tar -x -C "$dest" --strip-components="$(awk -F/ '{print NF}' <<<"$dir")"
}

# chart NAME VERSION GIT COMMIT PATH [SUBCHART_NAME SUBCHART_VERSION SUBCHART_GIT COMMIT PATH]...
chart() {
  local name=$1 version=$2 git=$3 commit=$4 dir=$5
  shift 5
  local dest=$CACHE/$name-$version
  if [[ -f $dest/Chart.yaml ]]; then echo "$name-$version: cached"; return; fi
  local tmp=$dest.partial
  rm -rf "$tmp"
  extract "$git" "$commit" "$dir" "$version" "$tmp"
  while [[ $# -gt 0 ]]; do
    extract "$3" "$4" "$5" "$2" "$tmp/charts/$1"
    shift 5
  done
  mv "$tmp" "$dest"
  echo "$name-$version: $(find "$dest" -type f | wc -l) files"
}

# Commits: the last commit of each chart directory at its pinned version (the next commit of the
# directory bumps the version). Subcharts as each Chart.lock pins them.
COMMON="common 2.31.4 $BITNAMI c6bc5984 bitnami/common"
chart postgresql 16.7.27 "$BITNAMI" 36f85982 bitnami/postgresql $COMMON
chart redis 22.0.7 "$BITNAMI" 07a0857a bitnami/redis $COMMON
chart prometheus 29.27.0 "$PROMETHEUS" ca06aaef charts/prometheus \
  alertmanager 1.42.0 "$PROMETHEUS" 7912a2df charts/alertmanager \
  kube-state-metrics 8.4.0 "$PROMETHEUS" 1982f1c5 charts/kube-state-metrics \
  prometheus-node-exporter 4.56.1 "$PROMETHEUS" 8b8e639c charts/prometheus-node-exporter \
  prometheus-pushgateway 3.8.0 "$PROMETHEUS" 4fa56e1c charts/prometheus-pushgateway
chart grafana 12.11.1 "$GRAFANA" 864f7794 charts/grafana
echo "neo4j: not in these repositories; render it online (its repository) or add it by hand"

#!/usr/bin/env bash
# Deploys the `dev` stack: to the current kube context, or to the project's local cluster when there
# is none (or with --local), with a local file backend. Needs nothing beforehand but Node.js: the
# Pulumi CLI and the local cluster are found, installed or built by scripts/deploy-dev.ts.
# Run through `npm run deploy:dev` so that Node.js 22 from node_modules is first on PATH.
#   npm run deploy:dev [-- [--local] [--context-ok] [--no-build] [other arguments: see below]]
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p .pulumi-state
# The state of a deploy to a kube context (the local cluster keeps its own, see scripts/local-cluster.ts).
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PWD/.pulumi-state}"
# A laptop stack: an empty passphrase unless you set one.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"

# Node.js keeps the compiled code of the modules it loads (the SDK's alone are ~750 files) between
# runs: a repeated no-op deploy loads the program about a third faster.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$PWD/node_modules/.cache/node-compile-cache}"

# Type-check once here, then let Pulumi load the program through SWC without checking it again
# (tsconfig.transpile.json): a type error stops the deploy before anything is touched.
npm run typecheck
export PULUMI_NODEJS_TRANSPILE_ONLY=true PULUMI_NODEJS_TSCONFIG_PATH=tsconfig.transpile.json

# The CLI, the cluster, then `pulumi up --stack dev --yes` (with the other arguments) and the acceptance check.
exec node -r ./testbed/harness/register.js scripts/deploy-dev.ts "$@"

#!/usr/bin/env bash
# Deploys the `dev` stack to the current kube context with a local file backend (.pulumi-state/).
# Run through `npm run deploy:dev` so that Node.js 22 from node_modules is first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v pulumi >/dev/null || { echo "pulumi CLI not found: install it (https://www.pulumi.com/docs/install/)" >&2; exit 1; }
mkdir -p .pulumi-state
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

pulumi stack select --create dev
pulumi up --stack dev --yes "$@"

# The acceptance check of what was just deployed: pods, endpoints, HPA, PDB, volumes, the entry
# point's certificate and the policies (npm run verify; docs/operations.md "Check a deployed stack").
npm run --silent verify -- --stack dev --wait 180

#!/bin/sh
# Runs a command with this repository's pnpm on the PATH and its dependencies installed.
# Needs only Node and npm: a missing pnpm is installed into .tools/, never globally.
set -eu
cd "$(dirname "$0")/.."
version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$version" ]; then
  if [ "$(.tools/node_modules/.bin/pnpm --version 2>/dev/null || true)" != "$version" ]; then
    echo "Installing pnpm $version into .tools/ ..."
    npm install --prefix .tools --no-save --no-package-lock --no-audit --no-fund --loglevel=error "pnpm@$version"
  fi
  PATH="$PWD/.tools/node_modules/.bin:$PATH"
  export PATH
fi
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
pnpm install --frozen-lockfile --prefer-offline --loglevel=warn
exec "$@"

#!/bin/sh
# Creates the skeleton of a published package: scripts/new-package.sh <name> "<description>" [dependency...]
set -eu
cd "$(dirname "$0")/.."
name=$1; description=$2; shift 2
dir=packages/$name
mkdir -p "$dir/src"
deps='"@cemaf/core": "workspace:^"'
for dep in "$@"; do deps="$deps, \"@cemaf/$dep\": \"workspace:^\""; done
cat > "$dir/package.json" <<JSON
{
  "name": "@cemaf/$name",
  "version": "0.0.0",
  "description": "$description",
  "keywords": ["resilience", "retry", "circuit-breaker", "rate-limiter", "fault-tolerance"],
  "license": "MIT",
  "repository": { "type": "git", "url": "git+https://github.com/cemaf/cemaf.git", "directory": "$dir" },
  "type": "module",
  "sideEffects": false,
  "engines": { "node": ">=18" },
  "main": "./dist/index.cjs",
  "module": "./dist/index.js",
  "types": "./dist/index.d.cts",
  "exports": {
    ".": {
      "import": { "types": "./dist/index.d.ts", "default": "./dist/index.js" },
      "require": { "types": "./dist/index.d.cts", "default": "./dist/index.cjs" }
    },
    "./package.json": "./package.json"
  },
  "files": ["dist"],
  "scripts": {
    "build": "tsup",
    "typecheck": "tsc --noEmit",
    "lint": "eslint .",
    "test": "vitest run",
    "check:package": "publint --strict && attw --pack"
  },
  "dependencies": { $deps }
}
JSON
cp packages/core/tsconfig.json packages/core/vitest.config.ts "$dir/"
cat > "$dir/tsup.config.ts" <<'TS'
import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

export default defineConfig(packageBuild());
TS

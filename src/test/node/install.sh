#!/bin/sh
# Installs the sdc-clients suite's packages (package-lock.json, from the npm registry) for
# SdcClientsSuiteTest; run by the Maven build before the tests. Without npm, or when the
# install fails (no registry), it says so and the build goes on: the test then skips (outside
# CI) with a message that says how to install them.
cd "$(dirname "$0")" || exit 0
if ! command -v npm >/dev/null 2>&1; then
  echo "sdc-clients suite: npm not found, its test will be skipped (install Node.js 18+ with npm)"
  exit 0
fi
if [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ]; then
  exit 0 # up to date
fi
npm ci --no-audit --no-fund --loglevel=error || echo "sdc-clients suite: npm ci failed, its test will be skipped"
exit 0

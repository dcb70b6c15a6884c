#!/usr/bin/env bash
# The test command (README, CI): installs what is missing, builds, starts a throwaway PostgreSQL
# server for the PostgreSQL store's tests (GONGKAI_TEST_POSTGRES_URL), runs every test, stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build --build-tests
GONGKAI_PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/gongkai-pg-test.XXXXXX")"
export GONGKAI_PG_DIR
trap './scripts/postgres.sh stop' EXIT
GONGKAI_TEST_POSTGRES_URL="$(./scripts/postgres.sh start)"
export GONGKAI_TEST_POSTGRES_URL
swift test --skip-build "$@"

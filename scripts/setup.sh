#!/usr/bin/env bash
# Installs what gongkai needs beyond the Swift toolchain, only where missing:
#   libzmq3-dev (ZeroMQ, linked by the cluster), libsqlite3-dev (the store), zlib1g-dev (.docx),
#   poppler-utils (pdftotext, .pdf),
#   parallel (a benchmark baseline), postgresql (the PostgreSQL store's tests: scripts/postgres.sh);
#   pyzmq from PyPI for the Python client example and its test.
# Debian/Ubuntu; needs root (or sudo) the first time. Safe to run again: it does nothing when all is there.
set -euo pipefail

need_apt=()
dpkg -s libzmq3-dev >/dev/null 2>&1 || need_apt+=(libzmq3-dev)
dpkg -s pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need_apt+=(libsqlite3-dev)  # GRDB (the summary store) links SQLite
dpkg -s poppler-utils >/dev/null 2>&1 || need_apt+=(poppler-utils)  # pdftotext, for reading PDF reports
dpkg -s zlib1g-dev >/dev/null 2>&1 || need_apt+=(zlib1g-dev)        # ZIPFoundation (.docx) links zlib
command -v parallel >/dev/null 2>&1 || need_apt+=(parallel)          # GNU parallel: a baseline of the benchmark suite (and its CI smoke run)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)  # a throwaway server for the PostgreSQL store's tests


if ((${#need_apt[@]})); then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    echo "setup: installing ${need_apt[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! python3 -c 'import zmq' >/dev/null 2>&1; then
    echo "setup: installing pyzmq from PyPI" >&2
    python3 -m pip install -q pyzmq 2>/dev/null || python3 -m pip install -q --break-system-packages pyzmq
fi

command -v swift >/dev/null 2>&1 || { echo "setup: the Swift toolchain (6.1 or later) must be on PATH" >&2; exit 1; }

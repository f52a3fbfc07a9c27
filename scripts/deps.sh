#!/bin/sh
# deps.sh [--check] [--test] — installs the Debian packages that building and
# running wlk need (with --test: also what the tests need: pytest, Chromium
# and its driver, PostgreSQL 15 for the second engine's run, nats-server and
# nginx for the cluster tests and `make cluster`, nginx for the
# reference benchmark), then the pinned npm
# packages of the web client (scripts/vendor.sh). With --check, only
# reports (exit 1) what is missing.
set -eu
cd "$(dirname "$0")/.."
PKGS="build-essential pkg-config curl ca-certificates libh2o-evloop-dev libwslay-dev libssl-dev
libjansson-dev libsqlite3-dev libsodium-dev libcurl4-openssl-dev libexif-dev libpq-dev zlib1g-dev
libbrotli-dev libnats-dev"
TEST_PKGS="libcmocka-dev clang-format clang libclang-rt-14-dev python3 python3-pytest
python3-requests python3-websocket python3-brotli python3-selenium chromium chromium-driver firefox-esr fonts-noto-cjk sqlite3
postgresql-15 python3-psycopg2 nats-server nginx-light"
check=0
for a in "$@"; do
    case "$a" in
    --check) check=1 ;;
    --test) PKGS="$PKGS $TEST_PKGS" ;;
    *) echo "deps.sh: unknown argument $a" >&2; exit 2 ;;
    esac
done
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ $check = 1 ]; then
        echo "missing packages:$missing" >&2
        exit 1
    fi
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    echo "installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ $check = 1 ]; then
    exec scripts/vendor.sh --check
fi
exec scripts/vendor.sh

#!/bin/sh
# deps.sh [--check] — installs the Debian packages that building, running
# and testing wlk need. With --check, only reports (exit 1) what is missing.
set -eu
PKGS="build-essential pkg-config libh2o-evloop-dev libwslay-dev libssl-dev libjansson-dev
libsqlite3-dev libsodium-dev libcurl4-openssl-dev libexif-dev libpq-dev libcmocka-dev clang-format clang libclang-rt-14-dev
python3 python3-pytest python3-requests python3-websocket sqlite3"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "${1:-}" = "--check" ]; then
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

#!/bin/sh
# vendor.sh [--check] — fetches the pinned npm packages the web client and
# its browser tests use into build/vendor (never into the repository):
#   web/   the view library, embedded in the binary by scripts/webembed.c
#   test/  axe-core, injected into Chromium by the browser tests
# Each tarball is checked against its pinned SHA-512 (the same digest as
# the registry's "integrity" field) before anything is unpacked. A bare
# import such as "preact/hooks" in web/ resolves to build/vendor/web/preact/hooks.js.
set -eu
cd "$(dirname "$0")/.."
DIR=build/vendor
REGISTRY=${WLK_NPM_REGISTRY:-https://registry.npmjs.org}
STAMP=$DIR/.stamp

# name version sha512 (hex) destination:source pairs (source inside the tarball)
PACKAGES='
preact 10.29.8 7a3d9a559faf67c58eeedbe541644cf4deb70342b317dab899625f0d41e061a2287d663d86eef841d9d0ae3a0f326662dbf9d9e603746c9090178f7142ac74f5 web/preact.js:package/dist/preact.module.js web/preact/hooks.js:package/hooks/dist/hooks.module.js web/LICENSE.preact.txt:package/LICENSE
htm 3.1.1 f7cdd5ca0f0dc1413b26467a3663aaa4267eb21d5b2afda2613954933956980e490f669c2a8c5de0a5716cc9b15fff399ad7dd9c399316834a720e43180bf135 web/htm.js:package/dist/htm.module.js web/htm/preact.js:package/preact/index.module.js web/LICENSE.htm.txt:package/LICENSE
axe-core 4.14.1 1477dafa598d8d065f273d6af302aa203c02e83131707b7fa648cd41bd3d6b734f8c22a0dab86ee6a6f64b8afbe804b214d36db85a2826965edfb3a0b9d546b5 test/axe.min.js:package/axe.min.js
'

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(printf "%s" "$PACKAGES")" ]; then
    touch "$STAMP" # up to date: newer than this script for make
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    echo "the web client's npm packages are not in $DIR yet (scripts/vendor.sh)" >&2
    exit 1
fi
command -v curl >/dev/null || { echo "vendor.sh needs curl (scripts/deps.sh installs it)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$DIR/web" "$DIR/test"
echo "$PACKAGES" | while read -r name version sum files; do
    [ -n "$name" ] || continue
    tgz="$tmp/$name-$version.tgz"
    url="$REGISTRY/$name/-/$name-$version.tgz"
    echo "fetching $name@$version" >&2
    curl -fsSL --retry 3 --retry-delay 2 -o "$tgz" "$url"
    got=$(sha512sum "$tgz" | cut -d' ' -f1)
    if [ "$got" != "$sum" ]; then
        echo "vendor.sh: $name@$version does not match its pinned SHA-512; refusing it" >&2
        exit 1
    fi
    mkdir -p "$tmp/$name"
    tar -xzf "$tgz" -C "$tmp/$name"
    for pair in $files; do
        dst=${pair%%:*}
        src=${pair#*:}
        mkdir -p "$(dirname "$DIR/$dst")"
        cp "$tmp/$name/$src" "$DIR/$dst"
    done
done
printf "%s" "$PACKAGES" > "$STAMP"

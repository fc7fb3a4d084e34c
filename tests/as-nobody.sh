#!/bin/bash
# Run a test program as uid 65534 with no capability at all:
#   as-nobody.sh PROGRAM DATADIR
# The checkout may sit where others cannot enter (root's home, mode 0700;
# issue 16), so the program, the shared library it links from the build
# tree and DATADIR are copied to a directory nobody can read, and the
# program gets the copy of DATADIR as its argument.  Skipped (77) unless
# we are root with setpriv, since then the plain run is unprivileged
# already.
prog=$1 data=$2
[ "$(id -u)" = 0 ] && command -v setpriv > /dev/null || exit 77
pub=$(mktemp -d /tmp/fnft-nobody.XXXXXX) || exit 1
trap 'rm -rf "$pub"' EXIT
cp "$prog" "$pub/" && cp -r "$data" "$pub/data" || exit 1
ldd "$prog" | awk '$1 ~ /^libfinesse-nft/ && $3 ~ /^\// { print $3 }' |
	while read -r lib; do cp -L "$lib" "$pub/"; done
chmod -R a+rX "$pub"
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	env LD_LIBRARY_PATH="$pub" "$pub/$(basename "$prog")" "$pub/data"

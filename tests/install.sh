#!/bin/bash
# `meson install` lays out the library, headers, finesse-nft.pc and the CLI,
# and a C99 program outside the tree builds with pkg-config alone.
BUILD=$1; SRC=$2
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
meson install -C "$BUILD" --destdir "$tmp/root" --no-rebuild >/dev/null ||
	fail "meson install failed"
option() {
	meson introspect "$BUILD" --buildoptions | python3 -c \
		'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]==sys.argv[1]][0])' "$1"
}
prefix=$(option prefix)
# a sanitized library needs its runtime loaded first in a plain program
case "$(option b_sanitize)" in *address*) export LD_PRELOAD=$(cc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0;; esac
root=$tmp/root$prefix
pc=$(find "$root" -name finesse-nft.pc) ; [ -n "$pc" ] || fail "no finesse-nft.pc installed"
ls "$root"/include/finesse-nft/finesse-nft.h >/dev/null || fail "headers not installed"
ls "$root"/bin/finesse-nft >/dev/null || fail "CLI not installed"
[ -x "$(find "$root" -path '*/finesse-nft/finesse-nft-watchdog')" ] || fail "confirm watchdog not installed"
lib=$(find "$root" -name 'libfinesse-nft.so.0.1.0'); [ -n "$lib" ] || fail "library not installed"
[ "$(readlink "$(dirname "$lib")/libfinesse-nft.so.0")" = libfinesse-nft.so.0.1.0 ] || fail "soname link missing"
objdump -p "$lib" | grep -q 'SONAME *libfinesse-nft.so.0$' || fail "wrong SONAME"
grep -q '^Requires.private:.*libnftnl.*libmnl.*jansson' "$pc" || fail "Requires.private incomplete: $(cat "$pc")"

# build the example outside the tree, strict C99 and C++, with pkg-config only
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$tmp/root
flags=$(pkg-config --cflags --libs finesse-nft) || fail "pkg-config failed"
cp "$SRC/examples/export-site.c" "$tmp/prog.c"
cc -std=c99 -pedantic -Wall -Wextra -Werror "$tmp/prog.c" $flags -o "$tmp/prog" ||
	fail "C99 consumer does not build"
LD_LIBRARY_PATH=$(dirname "$lib") "$tmp/prog" > "$tmp/out" || fail "consumer failed"
grep -q 'ip saddr @browser_v4 tcp dport { 443, 8445 } counter accept comment "tomcat.https"' "$tmp/out" ||
	fail "consumer output lacks the tomcat.https rule"
# the daemon example, built against the installed library, applies in a namespace
cp "$SRC/examples/apply-site.c" "$tmp/apply.c"
cc -std=c99 -pedantic -Wall -Wextra -Werror "$tmp/apply.c" $flags -o "$tmp/apply" ||
	fail "apply-site does not build against the installed library"
if in_netns true 2>/dev/null; then
	in_netns sh -c 'LD_LIBRARY_PATH=$1 "$2" && nft list table inet finesse' sh \
		"$(dirname "$lib")" "$tmp/apply" > "$tmp/applied" || fail "apply-site failed"
	grep -q 'ip saddr @admin_v4 tcp dport 22 counter packets 0 bytes 0 accept comment "ssh"' "$tmp/applied" ||
		fail "apply-site did not apply its ssh row: $(cat "$tmp/applied")"
elif [ "${CI:-}" = true ]; then
	fail "cannot create a network namespace for apply-site"
fi
if command -v c++ >/dev/null; then
	printf '#include <finesse-nft/finesse-nft.h>\nint main() { return fnft_version() ? 0 : 1; }\n' > "$tmp/p.cc"
	c++ -Wall -Wextra -Werror "$tmp/p.cc" $flags -o "$tmp/pcc" || fail "headers do not compile as C++"
fi
echo "install ok"

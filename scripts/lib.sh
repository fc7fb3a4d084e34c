# Shared by scripts/test and scripts/demo: install what is missing, build.
set -u
cd "$(dirname "$0")/.." || exit 1

# Debian 12 packages the build, the tests and the demo need.
PACKAGES="meson ninja-build pkg-config gcc libc6-dev python3 libnftnl-dev libmnl-dev
libjansson-dev check nftables iproute2 util-linux diffutils valgrind
scdoc bash-completion ansible-core strace systemd"

install_deps() {
	local missing="" p
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "installing:$missing" >&2
	if [ "$(id -u)" != 0 ]; then
		echo "run as root (or install these yourself):$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 && apt-get install -y -q $missing >&2 || {
		echo "apt-get install failed" >&2; exit 1; }
}

# build DIR [meson options]: quiet unless something fails
build() {
	local dir=$1 log; shift
	log=$(mktemp)
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@"
	else
		meson setup "$dir" "$@"
	fi > "$log" 2>&1 && ninja -C "$dir" >> "$log" 2>&1 || {
		cat "$log" >&2; rm -f "$log"; echo "build failed" >&2; exit 1; }
	rm -f "$log"
}

# Shared by scripts/test and scripts/demo: install what is missing, build.
set -u
cd "$(dirname "$0")/.." || exit 1

# Debian 12 packages the build, the tests and the demo need.
PACKAGES="meson ninja-build pkg-config gcc libc6-dev python3 libnftnl-dev libmnl-dev
libjansson-dev check nftables iproute2 util-linux diffutils valgrind
scdoc bash-completion ansible-core strace systemd"

# What scripts/kernels adds (scripts/test too, when it runs the guest).
KERNELS_PACKAGES="qemu-system-x86 busybox-static kmod cpio"

# Those of PACKAGES_LEAN are installed without their recommendations
# (qemu-system-x86 would bring a desktop's worth of GUI libraries).
PACKAGES_LEAN=""

missing_of() {
	local p
	for p; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			printf ' %s' "$p"
	done
}

install_deps() {
	local missing lean
	missing=$(missing_of $PACKAGES)
	lean=$(missing_of $PACKAGES_LEAN)
	[ -z "$missing$lean" ] && return 0
	echo "installing:$missing$lean" >&2
	if [ "$(id -u)" != 0 ]; then
		echo "run as root (or install these yourself):$missing$lean" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 &&
	{ [ -z "$missing" ] || apt-get install -y -q $missing >&2; } &&
	{ [ -z "$lean" ] || apt-get install -y -q --no-install-recommends $lean >&2; } || {
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

# Shared helpers for the shell tests.  Sourced; $FNFT is the CLI under test.
set -u

fail() { echo "FAIL: $*" >&2; exit 1; }

# Exit for "cannot make a network namespace": a failure under CI, a skip
# (meson's 77) elsewhere.
no_netns() {
	if [ "${CI:-}" = true ]; then
		fail "cannot create a network namespace ($*); CI requires it"
	fi
	echo "SKIP: cannot create a network namespace ($*)" >&2
	exit 77
}

# Run a command in a fresh network namespace with lo up; never in the host's.
in_netns() {
	unshare -n sh -c 'ip link set lo up 2>/dev/null; exec "$@"' sh "$@"
}

# Run a bash script in fresh network and mount namespaces with a private
# tmpfs on /run, where the lock and pending records live: in_ns SCRIPT ARGS...
in_ns() {
	unshare -n -m bash -c 'mount -t tmpfs tmpfs /run && ip link set lo up && exec bash -c "$0" inner "$@"' "$@"
}

require_netns() {
	command -v nft >/dev/null || no_netns "nft is not installed"
	in_netns true 2>/dev/null || no_netns "unshare -n failed"
}

# Run the CLI, keep stdout/stderr/exit code in $OUT, $ERR, $RC.
run() {
	OUT=$("$FNFT" "$@" 2>/tmp/fnft-err.$$); RC=$?
	ERR=$(cat /tmp/fnft-err.$$); rm -f /tmp/fnft-err.$$
}

expect_rc() {
	[ "$RC" = "$1" ] || fail "$2: exit $RC, expected $1 (stderr: $ERR)"
}

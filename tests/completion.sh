#!/bin/bash
# contrib/bash-completion/finesse-nft, sourced into a plain bash and into one
# with bash-completion loaded: it offers exactly the commands `--help` lists,
# every option each `COMMAND --help` shows (and only options the CLI
# accepts), --node/--format/--proto values, files and directories where they
# fit, and catalog row ids from `catalog --json`, honouring --catalog FILE.
FNFT=$(realpath "$1"); SRC=$(realpath "$2")
. "$(dirname "$0")/lib.sh"
COMPLETION=$SRC/contrib/bash-completion/finesse-nft
[ -f "$COMPLETION" ] || fail "no $COMPLETION"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# The CLI, in a throwaway network namespace when one can be had (only --help
# runs, but nothing here may ever touch the host's firewall).
NETNS_OK=no; unshare -n true 2>/dev/null && NETNS_OK=yes
cli() {
	if [ "$NETNS_OK" = yes ]; then unshare -n "$FNFT" "$@"; else "$FNFT" "$@"; fi
}

# The oracle: what --help says.
commands=$("$FNFT" --help | sed -n '/^Commands:/,/^$/{/^  [a-z]/{s/^  \([a-z-]*\).*/\1/p}}')
[ "$(echo "$commands" | wc -w)" -ge 10 ] || fail "cannot read the commands from --help: $commands"
# a command's options: those of its usage line and of its option lines
cmd_opts() {
	"$FNFT" "$1" --help | sed -n -e '1p' -e '/^ *-/s/^ *\(-[a-z], \)\{0,1\}\(--[a-z-]*\).*/\2/p' |
		grep -o -- '--[a-z][a-z-]*' | sort -u
}

# a scratch directory to complete file names in
mkdir -p "$tmp/work/site.conf.d" "$tmp/work/state"
touch "$tmp/work/site.conf" "$tmp/work/site-new.conf" "$tmp/work/notes.txt"
cat > "$tmp/work/other.ini" <<'EOF'
[entry foo.bar]
protocol = tcp
listen-port = 9
remote = alpha
direction = inbound
[entry foo.baz]
protocol = udp
listen-port = 10
remote = alpha
direction = inbound
EOF

# Complete LINE (as typed, cursor at its end) in bash MODE (plain | bc);
# prints the candidates sorted, one a line.  Words are split as bash does:
# at blanks, with '=' a word of its own.
complete_in() {
	local mode=$1 line=$2
	(cd "$tmp/work" && bash --norc --noprofile -c '
		mode=$1 line=$2 completion=$3
		if [ "$mode" = bc ]; then
			. /usr/share/bash-completion/bash_completion || exit 9
		fi
		. "$completion" || exit 9
		[ -n "${FNFT_ROW_OPTS-}" ] && _finesse_nft_row_opts=$FNFT_ROW_OPTS
		COMP_WORDS=()
		read -ra raw <<< "$line"
		for w in "${raw[@]}"; do
			while [[ $w == *=* ]]; do
				[ -n "${w%%=*}" ] && COMP_WORDS+=("${w%%=*}")
				COMP_WORDS+=("=")
				w=${w#*=}
			done
			[ -n "$w" ] && COMP_WORDS+=("$w")
		done
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line}
		COMPREPLY=()
		_finesse_nft finesse-nft "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]-}"
		printf "%s\n" "${COMPREPLY[@]}" | sed "/^$/d" | sort
	' sh "$mode" "$line" "$COMPLETION") || fail "$mode: completing '$line' failed"
}

# expect MODE LINE WORD...: the candidates are exactly WORDs
expect() {
	local mode=$1 line=$2 got want; shift 2
	got=$(complete_in "$mode" "$line" | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ')
	[ "$got" = "$want" ] || fail "$mode: '$line' completes to [$got], expected [$want]"
}
# expect_has MODE LINE WORD...: the candidates include every WORD
expect_has() {
	local mode=$1 line=$2 got w; shift 2
	got=$(complete_in "$mode" "$line")
	for w in "$@"; do
		grep -qxF -- "$w" <<< "$got" || fail "$mode: '$line' does not offer $w (got: $(echo $got))"
	done
}
expect_lacks() {
	local mode=$1 line=$2 got w; shift 2
	got=$(complete_in "$mode" "$line")
	for w in "$@"; do
		grep -qxF -- "$w" <<< "$got" && fail "$mode: '$line' offers $w, which it must not"
	done
	return 0
}

modes=plain
if [ -f /usr/share/bash-completion/bash_completion ]; then
	modes="plain bc"
elif [ "${CI:-}" = true ]; then
	fail "bash-completion is not installed; CI tests both modes"
else
	echo "note: bash-completion is not installed; testing the plain mode only" >&2
fi

# the row ids the built-in catalog has, straight from the CLI
builtin_ids=$("$FNFT" catalog --json | python3 -c 'import json,sys; print("\n".join(r["id"] for r in json.load(sys.stdin)))')
[ "$(echo "$builtin_ids" | wc -l)" -ge 12 ] || fail "catalog --json gave no ids: $builtin_ids"

for m in $modes; do
	# commands: exactly those of --help, wherever the command word stands
	expect "$m" "finesse-nft " $commands
	expect "$m" "finesse-nft -c site.conf --table t " $commands
	expect "$m" "finesse-nft --catalog=other.ini --no-state " $commands
	expect "$m" "finesse-nft dr" dry-run
	expect_has "$m" "finesse-nft --" --config --table --catalog --state-dir --no-state --help --version

	# options: every one `COMMAND --help` shows, and each offered one accepted
	for c in $commands; do
		offered=$(complete_in "$m" "finesse-nft $c --")
		for o in $(cmd_opts "$c"); do
			grep -qxF -- "$o" <<< "$offered" ||
				fail "$m: '$c --' does not offer $o, which '$c --help' shows"
		done
		for o in $offered; do
			case $o in --help) continue;; esac
			err=$(cli "$c" "$o=x" --help 2>&1 >/dev/null)
			case $err in *"unrecognized option"*)
				fail "$m: '$c --' offers $o, which '$c' rejects: $err";; esac
		done
	done
	expect_lacks "$m" "finesse-nft catalog --" --node --format
	expect_lacks "$m" "finesse-nft apply --" --verify --format
	expect_lacks "$m" "finesse-nft remove --" --node --json
	expect "$m" "finesse-nft remove --f" --force

	# option values
	expect "$m" "finesse-nft apply --node " primary secondary
	expect "$m" "finesse-nft dry-run --node s" secondary
	expect "$m" "finesse-nft status --node=p" primary
	expect "$m" "finesse-nft --node=" primary secondary
	for v in $("$FNFT" export --help | sed -n 's/.*\[--format \([a-z|]*\)\].*/\1/p' | tr '|' ' '); do
		expect_has "$m" "finesse-nft export --format " "$v"
	done
	expect "$m" "finesse-nft export --format " nft json
	expect "$m" "finesse-nft export --format=j" json
	expect "$m" "finesse-nft explain --from 10.0.0.1 --port 22 --proto " tcp udp
	expect "$m" "finesse-nft explain --proto=u" udp
	expect "$m" "finesse-nft --table " ""
	expect "$m" "finesse-nft apply --confirm " ""

	# files and directories
	expect_has "$m" "finesse-nft -c site" site.conf site-new.conf
	expect_has "$m" "finesse-nft --config=si" site.conf
	expect_has "$m" "finesse-nft --catalog oth" other.ini
	expect_has "$m" "finesse-nft diff site.conf site-" site-new.conf
	expect "$m" "finesse-nft --state-dir s" site.conf.d state
	expect_lacks "$m" "finesse-nft --state-dir s" site.conf
	expect "$m" "finesse-nft check " ""

	# row ids: the built-in catalog's, or --catalog FILE's, wherever an
	# option takes a row id (FNFT_ROW_OPTS stands in for such an option)
	FNFT_ROW_OPTS=--row expect "$m" "$FNFT status --row " $builtin_ids
	FNFT_ROW_OPTS=--row expect "$m" "$FNFT status --row ucce.c" ucce.cti-a ucce.cti-b
	FNFT_ROW_OPTS=--row expect "$m" "$FNFT --catalog other.ini status --row foo" foo.bar foo.baz
	FNFT_ROW_OPTS=--row expect "$m" "$FNFT --catalog=other.ini status --row=foo.ba" foo.bar foo.baz
	FNFT_ROW_OPTS=--row expect "$m" "/nonexistent/finesse-nft status --row " ""
	echo "completion ok ($m)"
done

# the helper alone agrees with catalog --json
ids=$(bash --norc --noprofile -c '. "$1"; _finesse_nft_row_ids "$2"' sh "$COMPLETION" "$FNFT")
[ "$ids" = "$builtin_ids" ] || fail "_finesse_nft_row_ids: $ids"
echo "completion ok"

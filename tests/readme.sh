#!/bin/bash
# The change review of README.md is true: in its section "A change review
# with `diff`", each example "$ finesse-nft ..." prints exactly the lines
# shown under it, for examples/site.conf as site.conf and the one-network
# change the README gives as a sed command (run here as written there).
FNFT=$(realpath "$1"); SRC=$(realpath "$2")
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$SRC/README.md" "$tmp" <<'PY' || fail "README.md: no review section with examples"
import os, re, sys
text = open(sys.argv[1]).read()
sec = text.split("### A change review with `diff`\n", 1)[1].split("\n#", 1)[0]
sed = re.search(r"`(sed '[^`]*' site.conf > site-new.conf)`", re.sub(r"\s*\n\s*", " ", sec))
assert sed, "no sed command"
open(os.path.join(sys.argv[2], "make-new.sh"), "w").write(sed.group(1) + "\n")
n, cur = 0, None
for line in sec.split("\n") + [""]:
    m = re.match(r"^    \$ finesse-nft (.*)$", line)
    if m:
        n += 1
        cur = open(os.path.join(sys.argv[2], "cmd%d" % n), "w")
        cur.write(m.group(1) + "\n")
        want = open(os.path.join(sys.argv[2], "want%d" % n), "w")
    elif cur and (line.startswith("    ") or line == ""):
        if line == "":
            want.write("\n")
        else:
            want.write(line[4:] + "\n")
    else:
        cur = None
assert n >= 3, n
PY
cd "$tmp" || exit 1
cp "$SRC/examples/site.conf" site.conf
sh make-new.sh || fail "the README's sed command failed"
# an example ends at its last line with text: markdown shows no
# trailing blank line (the diff's last context line is a space)
trim() { sed -e 's/^ *$//' "$1" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'; }
n=0
for cmd in cmd*; do
	i=${cmd#cmd}
	trim "want$i" > "want$i.trim"
	read -r -a args < "$cmd"
	"$FNFT" "${args[@]}" > "got$i" 2>/dev/null; rc=$?
	[ "$rc" = 1 ] || fail "finesse-nft $(cat "$cmd"): exit $rc, expected 1"
	trim "got$i" > "got$i.trim"
	diff -u "want$i.trim" "got$i.trim" || fail "README.md: finesse-nft $(cat "$cmd") prints otherwise (above)"
	n=$((n + 1))
done
echo "README.md: the $n review examples print what they show"

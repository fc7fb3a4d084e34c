#!/bin/bash
# Golden output of the commands that read the kernel, each golden site in
# a fresh network namespace where no packet reaches our rules (every
# counter is 0, so nothing is normalised):
# - status --format prometheus of NAME.conf applied equals live/NAME.prom
#   byte for byte, exit 0; of no table live/absent.prom (exit 1), of the
#   primary table with a site that cannot be loaded live/no-site.prom
#   (exit 2);
# - every one of them is valid textfile-collector input (promtool is not
#   here): each sample line matches NAME{LABELS} VALUE with escaped label
#   values, each metric has one HELP and one TYPE line before its samples,
#   a counter's name ends in _total, no series twice;
# - apply --json of primary.conf -> NAME.conf equals live/NAME.apply.json
#   (pretty-printed), and its "diff" is what dry-run --json printed just
#   before, in the documented schema, and what diff --json says
#   (review/NAME.changes.json);
# - contrib's finesse-nft-metrics@.service: its ExecStart writes the file
#   atomically (0644, no temporary left), exit 0 for status exit 0 and 1,
#   and keeps the old file (exit 3) when the kernel cannot be read;
#   systemd-analyze verify accepts the service and its timer.
# FNFT_REGEN=1 rewrites the golden files (review every changed line).
# Usage: golden-live.sh CLI SRC METRICS-UNIT
FNFT=$(realpath "$1"); SRC=$(realpath "$2"); UNIT=$3
. "$(dirname "$0")/lib.sh"
require_netns
G=$SRC/tests/golden
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
unset SSH_CONNECTION
mkdir -p "$tmp/out"

# compare WANT GOT: byte for byte (or rewrite WANT)
compare() {
	[ "${FNFT_REGEN:-}" = 1 ] && cp "$2" "$1"
	cmp -s "$1" "$2" || fail "$(basename "$2") differs from $1: $(diff -u "$1" "$2" | head -30)"
}

n=0
for conf in "$G"/*.conf; do
	name=$(basename "${conf%.conf}")
	in_netns bash -c '
		F=$1 G=$2 conf=$3 o=$4
		fnft() { "$F" --no-state "$@"; }
		if [ "$conf" = "$G/primary.conf" ]; then
			fnft -c "$conf" status --format prometheus > "$o.absent.prom"
			echo $? > "$o.absent.rc"
		fi
		fnft -c "$G/primary.conf" apply 2>/dev/null || exit 10
		if [ "$conf" = "$G/primary.conf" ]; then
			fnft -c "$o.missing.conf" status --format prometheus > "$o.no-site.prom" 2>/dev/null
			echo $? > "$o.no-site.rc"
		fi
		fnft -c "$conf" dry-run --json > "$o.dry.json"
		fnft -c "$conf" apply --json > "$o.apply" 2>/dev/null || exit 11
		fnft -c "$conf" status --format prometheus > "$o.prom"; echo $? > "$o.rc"
	' sh "$FNFT" "$G" "$conf" "$tmp/out/$name" || fail "$name: step $? failed"
	[ "$(cat "$tmp/out/$name.rc")" = 0 ] || fail "$name: status --format prometheus in sync: exit $(cat "$tmp/out/$name.rc")"
	python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])), indent=2))' \
		"$tmp/out/$name.apply" > "$tmp/out/$name.apply.json" || fail "$name: apply --json is not JSON"
	compare "$G/live/$name.prom" "$tmp/out/$name.prom"
	compare "$G/live/$name.apply.json" "$tmp/out/$name.apply.json"
	n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "only $n golden sites"
[ "$(cat "$tmp/out/primary.absent.rc")" = 1 ] || fail "no table: exit $(cat "$tmp/out/primary.absent.rc"), expected 1"
[ "$(cat "$tmp/out/primary.no-site.rc")" = 2 ] || fail "no site: exit $(cat "$tmp/out/primary.no-site.rc"), expected 2"
compare "$G/live/absent.prom" "$tmp/out/primary.absent.prom"
compare "$G/live/no-site.prom" "$tmp/out/primary.no-site.prom"
echo "$n golden sites: status --format prometheus and apply --json match, and the two without a table or a site"

python3 - "$tmp/out" "$G/review" <<'PY' || fail "the output is not what it should be (above)"
import glob, json, os, re, sys
out, review = sys.argv[1:]
name = r"[a-z_:][a-z0-9_:]*"
label = r'[a-z_][a-z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r"^(%s)\{(%s(?:,%s)*)\} [0-9]+$" % (name, label, label))
files = glob.glob(out + "/*.prom")
assert len(files) >= 12, files
for f in files:
    text = open(f).read()
    assert text.endswith("\n") and "\n\n" not in text, f
    helps, types, seen = {}, {}, set()
    for line in text.splitlines():
        m = re.match(r"^# (HELP|TYPE) (%s) (.+)$" % name, line)
        if m:
            d = helps if m.group(1) == "HELP" else types
            assert m.group(2) not in d, (f, "twice", line)
            d[m.group(2)] = m.group(3)
            continue
        m = sample.match(line)
        assert m, (f, "not a sample line", line)
        metric = m.group(1)
        assert metric in helps and metric in types, (f, "no HELP or TYPE before", line)
        assert types[metric] in ("gauge", "counter"), (f, line)
        assert (types[metric] == "counter") == metric.endswith("_total"), (f, line)
        keys = re.findall(r'([a-z_][a-z0-9_]*)="', m.group(2))
        assert len(keys) == len(set(keys)) and keys[0] == "table", (f, line)
        series = (metric, m.group(2))
        assert series not in seen, (f, "series twice", line)
        seen.add(series)
    assert set(helps) == set(types), f
    assert 'finesse_nft_table_present{table="finesse"}' in text, f
print("%d files of valid textfile-collector input" % len(files))

# apply --json: its diff is the dry-run --json of just before
for f in glob.glob(out + "/*.apply"):
    a = json.load(open(f))
    d = json.load(open(f[:-len(".apply")] + ".dry.json"))
    assert a["diff"] == d, (f, a["diff"], d)
    assert list(d) == ["table", "in_sync", "changes"], d
    assert a["in_sync"] == d["in_sync"], f
    # and diff --json of the same two sites (both name their node)
    name = os.path.basename(f)[:-len(".apply")]
    if name != "primary":
        assert [d] == json.load(open("%s/%s.changes.json" % (review, name))), name
    for ch in d["changes"]:
        assert list(ch) == ["op", "in", "line", "group", "row"], ch
        assert ch["op"] in ("add", "remove") and re.match(r"^(table|set \S+|chain \S+)$", ch["in"]), ch
        assert not (ch["in"].startswith("set ") and ch["line"].endswith(",")), ch
print("apply --json: the change set of dry-run --json, for every golden site")
PY

# ---- the timer's service ----
# Its ExecStart as systemd would run it for primary, with the binary under
# test reading the golden primary site instead of /etc/finesse-nft.
[ -f "$UNIT" ] || fail "no $UNIT"
python3 - "$UNIT" "$FNFT --no-state -c $G/primary.conf" > "$tmp/argv" <<'PY' || fail "no ExecStart as expected in $UNIT"
import re, shlex, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
start = re.search(r"^ExecStart=(.*)$", text, re.M).group(1)
argv = [a.replace("$$", "$") for a in shlex.split(start.replace("%i", "primary"))]
assert argv[:2] == ["/bin/sh", "-c"] and argv[-1] == "primary", argv
script = re.sub(r"\S*/finesse-nft (?=status --node )", sys.argv[2] + " ", argv[2])
assert script != argv[2], script
argv[2] = script
sys.stdout.write("\0".join(argv))
PY
mapfile -d '' argv < "$tmp/argv"
mkdir -m 0755 "$tmp/prom"
in_netns bash -c '
	F=$1 G=$2 d=$3; shift 3
	export FNFT_PROM_DIR=$d
	"$@" || exit 1				# no table: status exit 1, written
	cp "$d/finesse_nft.prom" "$d/../gone.prom"
	"$F" --no-state -c "$G/primary.conf" apply 2>/dev/null || exit 2
	"$@" || exit 3				# in sync: exit 0, written
	cp "$d/finesse_nft.prom" "$d/../in-sync.prom"
	stat -c %a "$d/finesse_nft.prom" > "$d/../mode"
	chmod 1777 "$d"
	# uid 65534 cannot read the kernel: status exits 3, the old file stays
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$@" 2>/dev/null
	echo $? > "$d/../denied.rc"
' sh "$FNFT" "$G" "$tmp/prom" "${argv[@]}" || fail "the unit's ExecStart: step $? failed"
cmp -s "$tmp/gone.prom" "$G/live/absent.prom" || fail "the unit wrote, for no table: $(cat "$tmp/gone.prom")"
cmp -s "$tmp/in-sync.prom" "$G/live/primary.prom" || fail "the unit wrote, in sync: $(cat "$tmp/in-sync.prom")"
[ "$(cat "$tmp/mode")" = 644 ] || fail "the unit's file has mode $(cat "$tmp/mode")"
[ "$(cat "$tmp/denied.rc")" = 3 ] || fail "the unit without CAP_NET_ADMIN: exit $(cat "$tmp/denied.rc"), expected 3"
cmp -s "$tmp/prom/finesse_nft.prom" "$G/live/primary.prom" || fail "a failed run did not keep the old file"
[ "$(ls -A "$tmp/prom")" = finesse_nft.prom ] || fail "left in the directory: $(ls -A "$tmp/prom")"
echo "finesse-nft-metrics@.service: written atomically for exit 0 and 1, the old file kept on 3"

if systemd-analyze --help >/dev/null 2>&1; then
	mkdir "$tmp/units"
	cp "$UNIT" "$tmp/units/finesse-nft-metrics@.service"
	cp "$SRC/contrib/systemd/finesse-nft-metrics@.timer" "$tmp/units/"
	systemd-analyze verify --man=no "$tmp/units/finesse-nft-metrics@primary.service" \
		"$tmp/units/finesse-nft-metrics@primary.timer" > "$tmp/verify.out" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$tmp/verify.out")"
	grep -v 'finesse-nft@primary.service' "$tmp/verify.out" | grep . &&
		fail "systemd-analyze verify complains (above)"
	echo "systemd-analyze verify: the service and its timer"
else
	echo "note: no systemd-analyze; the units are not verified" >&2
fi

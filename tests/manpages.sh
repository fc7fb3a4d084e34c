#!/bin/bash
# The man pages agree with the program.
#
# finesse-nft.8: every command `finesse-nft --help` lists has a "## COMMAND"
# section, and every "## X" under COMMANDS is a command; every option
# `COMMAND --help` shows (usage line and option lines) is documented, as
# *--opt*, in that command's section, with the values its usage lists
# (--format nft|json); every *--opt* a section documents is one the command
# accepts (asked of the CLI, `COMMAND --opt=x --help`); the global options,
# exit codes, environment variables and paths of `--help`, and the paths
# the sources use (/run/..., /var/lib/..., /etc/...), are in OPTIONS, EXIT
# STATUS, ENVIRONMENT and FILES.
#
# finesse-nft.conf.5: every section and key the site parser accepts (read
# out of lib/site.c and lib/row.c) and every value word it knows is
# documented under its section, and nothing else is documented as a key; the
# comment characters of lib/inifile.c and the line limit the parser reports
# are stated; the example site and drop-in in EXAMPLES pass `check`.
#
# With scdoc installed both pages must compile, and render without groff
# warnings.
FNFT=$(realpath "$1"); SRC=$(realpath "$2")
. "$(dirname "$0")/lib.sh"
MAN8=$SRC/docs/finesse-nft.8.scd
MAN5=$SRC/docs/finesse-nft.conf.5.scd
[ -f "$MAN8" ] && [ -f "$MAN5" ] || fail "no man page sources under $SRC/docs"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
errors=0
bad() { echo "FAIL: $*" >&2; errors=$((errors + 1)); }

# The CLI in a throwaway network namespace when one can be had: only --help
# and check run, but nothing here may ever touch the host's firewall.
NETNS_OK=no; unshare -n true 2>/dev/null && NETNS_OK=yes
cli() {
	if [ "$NETNS_OK" = yes ]; then unshare -n "$FNFT" "$@"; else "$FNFT" "$@"; fi
}

# section FILE HEADING: the text under "# HEADING" or "## HEADING", up to
# the next heading of the same or a higher level
section() {
	awk -v h="$2" '
		!on && ($0 == "# " h || $0 == "## " h) { on = 1; lvl = ($0 ~ /^## /) ? 2 : 1; next }
		on && /^# / { exit }
		on && lvl == 2 && /^## / { exit }
		on' "$1"
}
# has TEXT WORD: WORD stands in TEXT in bold, *WORD*
has() { grep -qF -- "*$2*" <<< "$1"; }

# ---- scdoc and groff ----
if command -v scdoc >/dev/null; then
	for page in "$MAN8" "$MAN5"; do
		out=$tmp/$(basename "$page" .scd)
		scdoc < "$page" > "$out" 2> "$tmp/scdoc.err" || bad "scdoc rejects $page: $(cat "$tmp/scdoc.err")"
		if command -v man >/dev/null && [ -s "$out" ]; then
			MANWIDTH=80 man --warnings -l "$out" 2> "$tmp/groff.err" > /dev/null
			[ -s "$tmp/groff.err" ] && bad "$(basename "$out") renders with warnings: $(head -5 "$tmp/groff.err")"
		fi
	done
elif [ "${CI:-}" = true ]; then
	fail "scdoc is not installed; CI builds the man pages"
else
	echo "note: scdoc is not installed; the pages' text is checked, not their compilation" >&2
fi

# ---- finesse-nft.8 against --help ----
help=$("$FNFT" --help) || fail "--help failed"
commands=$(sed -n '/^Commands:/,/^$/{/^  [a-z]/{s/^  \([a-z-]*\).*/\1/p}}' <<< "$help")
[ "$(echo "$commands" | wc -w)" -ge 10 ] || fail "cannot read the commands from --help: $commands"
man_commands=$(section "$MAN8" COMMANDS | sed -n 's/^## \(.*\)/\1/p')
for c in $commands; do
	grep -qxF "$c" <<< "$man_commands" || bad "finesse-nft.8 has no section '## $c' (the command is in --help)"
done
for c in $man_commands; do
	grep -qxF "$c" <<< "$commands" || bad "finesse-nft.8 documents a command '$c' that --help does not list"
done

# a command's options: its usage line and its option lines ("  --opt ...")
cmd_opts() {
	sed -n -e '1p' -e '/^ *-/s/^ *\(-[a-z], \)\{0,1\}\(--[a-z-]*\).*/\2/p' <<< "$1" |
		grep -o -- '--[a-z][a-z-]*' | sort -u
}
for c in $commands; do
	chelp=$("$FNFT" "$c" --help) || { bad "$c --help failed"; continue; }
	text=$(section "$MAN8" "$c")
	for o in $(cmd_opts "$chelp"); do
		has "$text" "$o" || bad "finesse-nft.8, section $c: $o is not documented ('$c --help' shows it)"
	done
	# value words of the usage line: [--proto tcp|udp], [--format nft|json]
	for pair in $(head -1 <<< "$chelp" | grep -o -- '--[a-z-]* [a-z]*\(|[a-z]*\)\+' | tr ' ' '='); do
		for v in $(tr '|' ' ' <<< "${pair#*=}"); do
			has "$text" "$v" || grep -qF -- "_${v}_" <<< "$text" ||
				bad "finesse-nft.8, section $c: value '$v' of ${pair%%=*} is not documented"
		done
	done
	# every option the section documents is one the command accepts
	for o in $(grep -o -- '\*--[a-z][a-z-]*\*' <<< "$text" | tr -d '*' | sort -u); do
		[ "$o" = --help ] && continue
		err=$(cli "$c" "$o=x" --help 2>&1 >/dev/null)
		case $err in *"unrecognized option"*)
			bad "finesse-nft.8, section $c: documents $o, which '$c' rejects ($err)";; esac
	done
done

# global options, both -x and --long forms, in OPTIONS
opts_text=$(section "$MAN8" OPTIONS)
for o in $(sed -n '/^Options:/,/^$/p' <<< "$help" | grep -o -- '\(^\| \)--\?[a-z][a-z-]*' | tr -d ' ' | sort -u); do
	has "$opts_text" "$o" || bad "finesse-nft.8, OPTIONS: $o is not documented (--help shows it)"
done
for o in $(grep -o -- '\*--\?[a-z][a-z-]*\*' <<< "$opts_text" | tr -d '*' | sort -u); do
	grep -q -- "$o\\b" <<< "$help" || bad "finesse-nft.8, OPTIONS: documents $o, which --help does not show"
done

# exit codes
exit_text=$(section "$MAN8" "EXIT STATUS")
codes=$(sed -n '/^Exit:/,/^$/p' <<< "$help" | grep -o '\b[0-9]\b' | sort -u)
[ -n "$codes" ] || bad "cannot read the exit codes from --help"
for n in $codes; do
	grep -qxF "*$n*" <<< "$exit_text" || bad "finesse-nft.8, EXIT STATUS: exit code $n is not documented"
done

# environment variables of every help text
all_help=$help
for c in $commands; do all_help+=$'\n'$("$FNFT" "$c" --help); done
env_text=$(section "$MAN8" ENVIRONMENT)
for v in $(grep -o '\b[A-Z][A-Z0-9]*_[A-Z0-9_]*\b' <<< "$all_help" | sort -u); do
	has "$env_text" "$v" || bad "finesse-nft.8, ENVIRONMENT: $v is not documented (--help names it)"
done
for v in $(grep -o 'getenv("[A-Z_]*")' "$SRC"/tools/*.c "$SRC"/lib/*.c | sed 's/.*getenv("\(.*\)")/\1/' | sort -u); do
	has "$env_text" "$v" || bad "finesse-nft.8, ENVIRONMENT: $v is not documented (the sources read it)"
done

# paths: of --help, and the ones the sources use
files_text=$(section "$MAN8" FILES)
paths=$( { grep -o '/\(etc\|var\|run\)/[a-z0-9./-]*[a-z0-9]' <<< "$all_help"
	   grep -ho '"/\(etc\|var/lib\|run\)/[a-z0-9./-]*"' "$SRC"/tools/*.c "$SRC"/lib/*.c \
		"$SRC"/include/finesse-nft/*.h | tr -d '"'; } | sort -u)
[ "$(echo "$paths" | wc -w)" -ge 3 ] || bad "cannot read the paths from --help and the sources: $paths"
for p in $paths; do
	grep -qF -- "_${p}" <<< "$files_text" || bad "finesse-nft.8, FILES: $p is not documented"
done
grep -qF '_/etc/finesse-nft/site.conf.d/' <<< "$files_text" || bad "finesse-nft.8, FILES: no site.conf.d/"

# ---- finesse-nft.conf.5 against the parser ----
python3 - "$SRC" "$MAN5" > "$tmp/conf.out" <<'PY' || bad "finesse-nft.conf.5 does not match the parser"
import re, sys
src, man = sys.argv[1], sys.argv[2]
site = open(src + "/lib/site.c").read()
row = open(src + "/lib/row.c").read()
ini = open(src + "/lib/inifile.c").read()
text = open(man).read()
errors = []

def func(code, name):
    m = re.search(r"^[A-Za-z_][^\n]*\b%s\(.*?^}" % re.escape(name), code, re.S | re.M)
    if not m:
        errors.append("cannot find %s() in the sources; update tests/manpages.sh" % name)
        return ""
    return m.group(0)

def sections(text):
    out, cur = {}, None
    for line in text.splitlines():
        if line.startswith("# "):
            cur = None
        elif line.startswith("## "):
            cur = line[3:].strip()
            out[cur] = ""
        elif cur:
            out[cur] += line + "\n"
    return out

man_secs = sections(text)

def sec_text(name):
    for title, body in man_secs.items():
        if title == "[%s]" % name or title.startswith("[%s " % name):
            return title, body
    return None, None

# sections: plain ones of on_section(), and those with an argument
on_section = func(site, "on_section")
secs = re.findall(r'\{ "([a-z]+)", SEC_[A-Z]+ \}', on_section)
secs += re.findall(r'section_arg\(name, "([a-z]+)"\)', on_section)
if len(secs) < 6:
    errors.append("read only %d sections out of lib/site.c: %s" % (len(secs), secs))

# keys and value words, per section
keys = {s: set() for s in secs}
values = {s: set() for s in secs}
keys["cluster"] |= set(re.findall(r'streq\(key, "([a-z-]+)"\)', func(site, "cluster_key")))
keys["cluster"] |= set(re.findall(r'streq\(name, "([a-z]+)"\)', func(site, "fnft_role_parse")))
values["cluster"] |= set(re.findall(r'streq\(name, "([a-z]+)"\)', func(site, "fnft_role_parse")))
# the knobs table the parser and the builder share, and its word lists
keys["policy"] |= set(re.findall(r'\[FNFT_POLICY_[A-Z]+\] = \{ "([a-z-]+)", [a-z_]+_words,', site))
for words in re.findall(r'static const char \*const [a-z]+_words\[\] = \{([^}]*)\}', site):
    values["policy"] |= set(re.findall(r'"([a-z]+)"', words))
keys["group"] |= set(re.findall(r'streq\(key, "([a-z-]+)"\)', func(site, "group_key")))
keys["disable"] |= set(re.findall(r'streq\(key, "([a-z-]+)"\)', func(site, "disable_key")))
m = re.search(r"row_keys\[\] = \{(.*?)\};", row, re.S)
keys["entry"] |= set(re.findall(r'\{ "([a-z-]+)", SEEN_[A-Z_]+, (?:true|false) \}', m.group(1) if m else ""))
for f in ("set_protocol", "set_direction"):
    values["entry"] |= set(re.findall(r'streq\(value, "([a-z]+)"\)', func(row, f)))

total = sum(len(v) for v in keys.values())
if total < 15 or not values["policy"] or not values["entry"]:
    errors.append("read only %d keys out of lib/site.c and lib/row.c; update tests/manpages.sh" % total)

for s in secs:
    title, body = sec_text(s)
    if title is None:
        errors.append("no section '## [%s...]' (lib/site.c accepts [%s])" % (s, s))
        continue
    for k in sorted(keys[s]):
        if not re.search(r"^\*%s\* =" % re.escape(k), body, re.M):
            errors.append("%s: key '%s' is not documented as '*%s* = ...'" % (title, k, k))
    for v in sorted(values[s]):
        if "*%s*" % v not in body:
            errors.append("%s: value '%s' is not documented" % (title, v))
    for k in re.findall(r"^\*([a-z][a-z-]*)\* =", body, re.M):
        if k not in keys[s]:
            errors.append("%s: documents a key '%s' that lib/site.c does not accept there" % (title, k))
for title in man_secs:
    if title.startswith("[") and not any(title == "[%s]" % s or title.startswith("[%s " % s) for s in secs):
        errors.append("documents a section %s that lib/site.c does not accept" % title)

# the comment characters
m = re.search(r"^static int scan_line\(.*?^}", ini, re.S | re.M)
chars = re.findall(r"c == '([^\\])'", m.group(0)) if m else []
if len(chars) < 2:
    errors.append("cannot read the comment characters out of lib/inifile.c")
for c in chars:
    if "*%s*" % c not in text:
        errors.append("the comment character '%s' is not documented" % c)

print("%d sections, %d keys, %d values checked" % (len(secs), total, sum(len(v) for v in values.values())))
for e in errors:
    print("finesse-nft.conf.5: " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY

# the line limit, as the parser reports it
mkdir -p "$tmp/site"
{ echo '[policy]'; printf '# %0300d\n' 0; } > "$tmp/site/long.conf"
limit=$(cli -c "$tmp/site/long.conf" check 2>&1 | sed -n 's/.*the limit is \([0-9]*\).*/\1/p')
[ -n "$limit" ] || bad "a 302-character line is not refused with 'the limit is N'"
[ -n "$limit" ] && ! grep -q "at most $limit characters" "$MAN5" &&
	bad "finesse-nft.conf.5 does not say lines are 'at most $limit characters'"

# the EXAMPLES: the first block is a site, the second a drop-in; they check
awk '/^```/ { n++; next } n == 1' "$MAN5" > "$tmp/site/site.conf"
mkdir -p "$tmp/site/site.conf.d"
awk '/^```/ { n++; next } n == 3' "$MAN5" > "$tmp/site/site.conf.d/50-example.conf"
grep -q '^\[cluster\]' "$tmp/site/site.conf" || bad "the first example of finesse-nft.conf.5 is not a site"
cli -c "$tmp/site/site.conf" check > /dev/null 2> "$tmp/check.err" ||
	bad "the example site of finesse-nft.conf.5 does not check: $(cat "$tmp/check.err")"
grep -q 'warning' "$tmp/check.err" && bad "the example site of finesse-nft.conf.5 has warnings: $(cat "$tmp/check.err")"
drop=$(sed -n 's/^address *= *\([^ #]*\).*/\1/p' "$tmp/site/site.conf.d/50-example.conf" | head -1)
[ -n "$drop" ] || bad "the second example of finesse-nft.conf.5 is not a drop-in with an address"
[ -n "$drop" ] && ! cli -c "$tmp/site/site.conf" export --node primary | grep -qF "$drop," &&
	bad "the example drop-in's $drop is not in the exported table"

[ "$errors" = 0 ] || fail "$errors disagreement(s) between the man pages and the program"
echo "man pages ok: $(echo $commands | wc -w) commands, $(cat "$tmp/conf.out")"

#!/bin/bash
# contrib/ansible: the example playbook passes `ansible-playbook
# --syntax-check` and the role's module documents itself; then the real
# site.yml runs against this host (ansible_connection=local) inside a
# throwaway network namespace, its site, state and staging files in a
# temporary directory:
#  - check mode: the dry-run task is "changed" (dry-run exit 1) and --diff
#    shows the unified diff; no table, no site file, no staging left behind;
#  - a run applies (apply --confirm), reaches the node again and confirms:
#    the table is there, nothing is pending, the site file is installed;
#  - check mode and a second run afterwards are "ok" (changed=0);
#  - drift (an element added by hand) is "changed" in check mode with the
#    element in the diff, and a run removes it;
#  - a drop-in adds a network: check mode shows it, a run applies it;
#  - a bad site fails the play at `check`: nothing changes;
#  - a play whose SSH_CONNECTION comes from a client the plan refuses fails
#    at apply (the lockout guard), and the table stays as it was;
#  - a play that never confirms (its confirm step skipped, as when the node
#    cannot be reached again) is rolled back by the node on time;
#  - a refused play (the lockout guard; another apply --confirm pending) and
#    a rolled-back one bring a new site and drop-in: the node's site file
#    and drop-ins stay byte-identical (the role applies from a staged copy
#    and installs only once the apply is kept);
#  - a drop-in another tool owns, on the node: check mode shows no removal
#    of its network, a run applies the new site and keeps it, and check
#    mode and a second run of the same play are changed=0.
# Usage: ansible.sh CLI SRC
FNFT=$(realpath "$1"); SRC=$(realpath "$2")
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
PLAYBOOK=$SRC/contrib/ansible/site.yml
skip() {
	[ "${CI:-}" = true ] && fail "$* (CI requires it)"
	echo "SKIP: $*" >&2
	exit 77
}
command -v ansible-playbook >/dev/null || skip "ansible-playbook is not installed (apt-get install ansible-core)"
export ANSIBLE_LOCAL_TEMP=$tmp/ansible-local ANSIBLE_REMOTE_TEMP=$tmp/ansible-remote
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_PIPELINING=1
: > "$tmp/ansible.cfg"; export ANSIBLE_CONFIG=$tmp/ansible.cfg	# none of the caller's

# ---- static ----
ansible-playbook -i "$SRC/contrib/ansible/inventory.example" --syntax-check "$PLAYBOOK" \
	> "$tmp/syntax.out" 2>&1 || fail "syntax check: $(cat "$tmp/syntax.out")"
ansible-doc -M "$SRC/contrib/ansible/roles/finesse_nft/library" finesse_nft_dry_run \
	> "$tmp/doc.out" 2>&1 || fail "ansible-doc finesse_nft_dry_run: $(cat "$tmp/doc.out")"
grep -q 'argv' "$tmp/doc.out" || fail "the module's documentation lacks argv"
echo "syntax ok"

# ---- for real, in a network namespace ----
in_netns true 2>/dev/null || skip "cannot create a network namespace to run the role in"
command -v nft >/dev/null || skip "nft is not installed"
mkdir -p "$tmp/etc" "$tmp/state" "$tmp/tmp"
cat > "$tmp/inventory" <<EOF
[finesse]
localhost ansible_connection=local ansible_python_interpreter=$(command -v python3) finesse_nft_node=primary
EOF
# one namespace for the whole story: run the scenario script in it
cat > "$tmp/scenario.sh" <<'SCENARIO'
set -u
t=$1 FNFT=$2 PLAYBOOK=$3 SRC=$4
export TMPDIR=$t/tmp	# where the role stages (tempfile)
play() {	# play NAME [ansible-playbook args]: output in $t/NAME.out, exit in $t/NAME.rc
	local name=$1; shift
	ansible-playbook -i "$t/inventory" "$PLAYBOOK" -e ansible_become=false \
		-e "finesse_nft_bin=$FNFT" -e "finesse_nft_config=$t/etc/site.conf" \
		-e "finesse_nft_state_dir=$t/state" "$@" > "$t/$name.out" 2>&1
	echo $? > "$t/$name.rc"
	nft list table inet finesse > "$t/$name.table" 2>/dev/null
	ls -A "$t/tmp" > "$t/$name.staged"
}
play check1 --check --diff
[ -e "$t/etc/site.conf" ] && echo present > "$t/check1.site"
play run1
cp "$t/etc/site.conf" "$t/run1.site"
"$FNFT" --state-dir "$t/state" confirm 2> "$t/run1.confirm"; echo $? >> "$t/run1.confirm"
play check2 --check --diff
play run2
nft add element inet finesse browser_v4 '{ 10.99.0.0/16 }'
play check3 --check --diff
play run3
echo '{"finesse_nft_dropins": {"50-site-b.conf": "[group browser]\naddress = 10.40.0.0/16\n"}}' > "$t/dropins.json"
play check4 --check --diff -e "@$t/dropins.json"
play run4 -e "@$t/dropins.json"
cp "$t/etc/site.conf" "$t/site.before"
printf '[policy]\ninput = maybe\n' > "$t/bad.conf"
play bad -e "finesse_nft_site_path=$t/bad.conf" -e '{"finesse_nft_site": "{{ lookup(\"ansible.builtin.file\", finesse_nft_site_path, rstrip=false) }}"}'
cp "$t/etc/site.conf" "$t/bad.site"
nft add element inet finesse browser_v4 '{ 10.98.0.0/16 }'
nft list table inet finesse > "$t/guard.before"
# from here on the plays bring a new site (one more network) and the guard
# play a new drop-in: a refused or rolled-back apply must install neither
# (each play its own, so that each check holds even if an earlier play had
# installed its site)
site_args() {	# site_args NAME NETWORK: a site with one more browser network
	sed "/^\[group browser\]/a address = $2" "$SRC/examples/site.conf" > "$t/$1.conf"
	args=(-e "finesse_nft_site_path=$t/$1.conf" -e '{"finesse_nft_site": "{{ lookup(\"ansible.builtin.file\", finesse_nft_site_path, rstrip=false) }}"}')
}
site_args new 10.45.0.0/16; newsite=("${args[@]}")
site_args new2 10.47.0.0/16; newsite2=("${args[@]}")
site_args new3 10.48.0.0/16; newsite3=("${args[@]}")
echo '{"finesse_nft_dropins": {"50-site-b.conf": "[group browser]\naddress = 10.40.0.0/16\n", "60-new.conf": "[group browser]\naddress = 10.46.0.0/16\n"}}' > "$t/dropins2.json"
snap() { (cd "$t/etc" && find . -type f | sort | xargs sha256sum) > "$t/$1.etc"; }
snap guard.before
SSH_CONNECTION="192.0.2.200 50000 10.0.0.11 22" play guard --diff -e "@$t/dropins2.json" "${newsite[@]}"
snap guard.after
play noconfirm -e "@$t/dropins.json" "${newsite2[@]}" -e finesse_nft_confirm_timeout=3 --skip-tags finesse_nft_confirm
snap noconfirm.after
sleep 5
nft list table inet finesse > "$t/noconfirm.later" 2>/dev/null
# someone's apply --confirm is pending on the node: the play's is refused
"$FNFT" -c "$t/etc/site.conf" --state-dir "$t/state" apply --confirm 60 2> "$t/pending.by-hand"
echo $? > "$t/pending.rc-apply"
nft list table inet finesse > "$t/pending.before"
snap pending.before
play pending -e "@$t/dropins.json" "${newsite3[@]}"
snap pending.after
"$FNFT" --state-dir "$t/state" rollback 2>> "$t/pending.by-hand"
echo $? > "$t/pending.rc-rollback"
# a drop-in another tool owns, applied by that tool (the node's own reload)
printf '[group browser]\naddress = 10.77.0.0/16\n' > "$t/etc/site.conf.d/70-foreign.conf"
"$FNFT" -c "$t/etc/site.conf" --state-dir "$t/state" apply 2> "$t/foreign.by-hand"
echo $? >> "$t/foreign.by-hand"
nft list table inet finesse > "$t/foreign.before"
play check5 --check --diff "${newsite[@]}"
play run5 "${newsite[@]}"
play check6 --check --diff "${newsite[@]}"
play run6 "${newsite[@]}"
exit 0
SCENARIO
in_netns bash "$tmp/scenario.sh" "$tmp" "$FNFT" "$PLAYBOOK" "$SRC" < /dev/null || fail "the scenario did not run"

recap() { sed -n 's/^localhost *: //p' "$tmp/$1.out"; }
changed() { recap "$1" | sed -n 's/.*changed=\([0-9]*\).*/\1/p'; }
task() {	# task NAME TITLE: the status line of the task
	awk -v t="TASK [finesse_nft : $2]" 'index($0, t) == 1 { on = 1; next }
		on && /^(ok|changed|skipping|fatal|failed):/ { print $1; exit }' "$tmp/$1.out"
}
must() {	# must NAME RC: the play's exit code
	[ "$(cat "$tmp/$1.rc")" = "$2" ] || fail "$1: ansible-playbook exit $(cat "$tmp/$1.rc"), expected $2: $(tail -30 "$tmp/$1.out")"
}
dry=" Compare the live table with the plan (dry-run)"; dry=${dry# }
for n in check1 check2 check3 check4 run1 run2 run3 run4 guard noconfirm pending check5 run5 check6 run6; do
	[ -s "$tmp/$n.staged" ] && fail "$n left staging files behind: $(cat "$tmp/$n.staged")"
done

# check mode before the first apply: changed, with the diff, nothing written
must check1 0
[ "$(task check1 "$dry")" = changed: ] || fail "check1: dry-run task is '$(task check1 "$dry")', expected changed"
grep -q '^--- live table inet finesse (absent)' "$tmp/check1.out" || fail "check1: no diff shown: $(tail -30 "$tmp/check1.out")"
grep -q '^+	chain input {' "$tmp/check1.out" || fail "check1: the diff lacks the input chain"
[ -s "$tmp/check1.table" ] && fail "check mode created the table"
[ -e "$tmp/check1.site" ] && fail "check mode installed the site file"
echo "check mode: changed before the first apply, diff shown, nothing written"

# the apply: applied with a rollback timer, reached again, confirmed
must run1 0
[ "$(task run1 "Apply, with a rollback unless confirmed in time")" = changed: ] || fail "run1: apply did not run"
[ "$(task run1 "Confirm the apply")" = ok: ] || fail "run1: confirm did not run: $(tail -30 "$tmp/run1.out")"
grep -q 'comment "finesse-nft primary"' "$tmp/run1.table" || fail "run1: no table applied"
grep -q "nothing to confirm" "$tmp/run1.confirm" || fail "run1: an apply is still pending: $(cat "$tmp/run1.confirm")"
cmp -s "$tmp/run1.site" "$SRC/examples/site.conf" || fail "run1: the site file is not installed as given"
echo "run: applied with --confirm, reached again, confirmed"

# in sync: ok
for n in check2 run2; do
	must $n 0
	[ "$(changed $n)" = 0 ] || fail "$n: changed=$(changed $n) on a node in sync: $(recap $n)"
	[ "$(task $n "$dry")" = ok: ] || fail "$n: dry-run task is '$(task $n "$dry")', expected ok"
done
cmp -s "$tmp/run1.table" "$tmp/run2.table" || fail "run2 changed a table in sync"
echo "in sync: check mode and a run are ok (changed=0)"

# drift by hand: seen and removed
must check3 0
[ "$(task check3 "$dry")" = changed: ] || fail "check3: drift not seen"
grep -q '^-			10.99.0.0/16,' "$tmp/check3.out" || fail "check3: the diff lacks the hand-added element"
must run3 0
grep -q '10.99.0.0' "$tmp/run3.table" && fail "run3 did not remove the hand-added element"
echo "drift: seen in check mode, removed by a run"

# a drop-in
must check4 0
grep -q '^+			10.40.0.0/16,' "$tmp/check4.out" || fail "check4: the drop-in's network is not in the diff"
grep -q '10.40.0.0' "$tmp/check4.table" && fail "check mode applied the drop-in"
must run4 0
grep -q '10.40.0.0/16' "$tmp/run4.table" || fail "run4 did not apply the drop-in"
[ -f "$tmp/etc/site.conf.d/50-site-b.conf" ] || fail "run4 did not install the drop-in"
echo "drop-ins: staged, shown, installed and applied"

# a bad site stops at check
must bad 2
[ "$(task bad "Check the site (bad input stops here, before anything changes)")" = fatal: ] || fail "bad: did not fail at check"
grep -q "bad input policy 'maybe'" "$tmp/bad.out" || fail "bad: the error is not shown: $(tail -20 "$tmp/bad.out")"
cmp -s "$tmp/run4.table" "$tmp/bad.table" || fail "a bad site changed the table"
cmp -s "$tmp/site.before" "$tmp/bad.site" || fail "a bad site was installed"
echo "bad site: fails at check, nothing changes"

# the lockout guard sees the play's SSH connection
must guard 2
[ "$(task guard "Apply, with a rollback unless confirmed in time")" = fatal: ] || fail "guard: apply did not fail"
grep -q 'refusing to apply.*192.0.2.200' "$tmp/guard.out" || fail "guard: no lockout refusal: $(tail -20 "$tmp/guard.out")"
cmp -s "$tmp/guard.before" "$tmp/guard.table" || fail "guard: the refused apply changed the table"
echo "lockout guard: a play from a refused client fails at apply, the table stays"

# never confirmed: the node rolls back
must noconfirm 0
grep -q '10.98.0.0' "$tmp/noconfirm.table" && fail "noconfirm: did not apply"
[ "$(task noconfirm "Confirm the apply")" = "" ] || fail "noconfirm: confirm ran although skipped"
grep -q '10.98.0.0' "$tmp/noconfirm.later" || fail "noconfirm: not rolled back to the previous table: $(grep -c . "$tmp/noconfirm.later") lines"
echo "unconfirmed: the node put the previous table back on time"

# refused or rolled back: the node's site files are byte for byte as before
# (else the next reload or boot would apply the unconfirmed site, unguarded)
etc_same() {	# etc_same BEFORE AFTER WHAT
	cmp -s "$tmp/$1.etc" "$tmp/$2.etc" ||
		fail "$3 changed the node's site files: $(diff "$tmp/$1.etc" "$tmp/$2.etc")"
}
grep -q 'site.conf$' "$tmp/guard.before.etc" || fail "no site file to compare: $(cat "$tmp/guard.before.etc")"
etc_same guard.before guard.after "a refused apply (the lockout guard)"
[ -e "$tmp/etc/site.conf.d/60-new.conf" ] && fail "a refused apply installed its drop-in"
grep -q '10.45.0.0' "$tmp/guard.out" || fail "guard: the new site was not the one refused: $(tail -20 "$tmp/guard.out")"
etc_same guard.after noconfirm.after "an apply never confirmed"
grep -q '10.47.0.0' "$tmp/noconfirm.table" || fail "noconfirm: the new site was not applied"
grep -q '10.47.0.0' "$tmp/noconfirm.later" && fail "noconfirm: the new site survived the rollback"

echo "refused (guard) and rolled back: the node's site file and drop-ins are byte-identical to before"

# refused because another apply --confirm is pending (not the guard)
[ "$(cat "$tmp/pending.rc-apply")" = 0 ] ||
	fail "the apply --confirm by hand failed: $(cat "$tmp/pending.by-hand")"
must pending 2
[ "$(task pending "Apply, with a rollback unless confirmed in time")" = fatal: ] || fail "pending: apply did not fail: $(tail -20 "$tmp/pending.out")"
grep -q 'already pending' "$tmp/pending.out" || fail "pending: not refused as pending: $(tail -20 "$tmp/pending.out")"
cmp -s "$tmp/pending.before" "$tmp/pending.table" || fail "pending: the refused apply changed the table"
etc_same pending.before pending.after "an apply refused while another was pending"
[ "$(cat "$tmp/pending.rc-rollback")" = 0 ] || fail "the rollback by hand failed: $(cat "$tmp/pending.by-hand")"
echo "refused (another apply pending): the site files stay byte-identical"

# a drop-in another tool owns: planned from the node's drop-ins, always
[ "$(tail -1 "$tmp/foreign.by-hand")" = 0 ] || fail "the foreign tool's apply failed: $(cat "$tmp/foreign.by-hand")"
grep -q '10.77.0.0/16' "$tmp/foreign.before" || fail "the foreign drop-in is not in the table"
must check5 0
grep -q '^-.*10\.77\.0\.0' "$tmp/check5.out" && fail "check5: check mode shows a removal of the foreign drop-in's network: $(grep -n '10.77' "$tmp/check5.out")"
grep -q '^-.*10\.40\.0\.0' "$tmp/check5.out" && fail "check5: check mode shows a removal of the node's drop-in 50-site-b.conf"
grep -q '^+			10.45.0.0/16,' "$tmp/check5.out" || fail "check5: the new site's network is not in the diff: $(tail -30 "$tmp/check5.out")"
must run5 0
[ "$(task run5 "Confirm the apply")" = ok: ] || fail "run5: not confirmed: $(tail -30 "$tmp/run5.out")"
grep -q '10.45.0.0/16' "$tmp/run5.table" || fail "run5 did not apply the new site"
grep -q '10.77.0.0/16' "$tmp/run5.table" || fail "run5 removed the foreign drop-in's network"
cmp -s "$tmp/etc/site.conf" "$tmp/new.conf" || fail "run5: the confirmed site is not installed"
[ -f "$tmp/etc/site.conf.d/70-foreign.conf" ] || fail "run5 removed the foreign drop-in"
for n in check6 run6; do
	must $n 0
	[ "$(changed $n)" = 0 ] || fail "$n: changed=$(changed $n) on a second run of the same play: $(recap $n)"
	[ "$(task $n "$dry")" = ok: ] || fail "$n: dry-run task is '$(task $n "$dry")', expected ok"
done
cmp -s "$tmp/run5.table" "$tmp/run6.table" || fail "run6 changed the table"
echo "foreign drop-in: no false removal in check mode; the second run is changed=0"
echo "ansible ok"

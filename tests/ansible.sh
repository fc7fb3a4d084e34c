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
#    cannot be reached again) is rolled back by the node on time.
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
nft add element inet finesse browser_v4 '{ 10.98.0.0/16 }'
nft list table inet finesse > "$t/guard.before"
SSH_CONNECTION="192.0.2.200 50000 10.0.0.11 22" play guard -e "@$t/dropins.json"
play noconfirm -e "@$t/dropins.json" -e finesse_nft_confirm_timeout=3 --skip-tags finesse_nft_confirm
sleep 5
nft list table inet finesse > "$t/noconfirm.later" 2>/dev/null
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
for n in check1 check2 check3 check4 run1 run2 run3 run4 guard noconfirm; do
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
cmp -s "$tmp/etc/site.conf" "$SRC/examples/site.conf" || fail "run1: the site file is not installed as given"
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
cmp -s "$tmp/site.before" "$tmp/etc/site.conf" || fail "a bad site was installed"
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
echo "ansible ok"

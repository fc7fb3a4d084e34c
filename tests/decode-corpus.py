#!/usr/bin/env python3
"""The decoder against nft, rule by rule (run by tests/decode-corpus.sh).

decode-corpus.py CORPUS DECODE_PRINT [CHAIN]

In a network namespace whose table inet finesse holds chain CHAIN (input)
and the helper objects the corpus names: adds every rule of CORPUS to the
chain in one nft transaction, then compares, rule by rule (matched by
handle), finesse-nft's rendering (DECODE_PRINT) with `nft list`:

- "# not understood: ..."   fine: finesse-nft says it does not know;
- the same text             understood;
- another text              loaded into a scratch chain with nft, its
                            bytecode (nft --debug=netlink) must be the
                            original's, else it is a mismatch.

Prints the counts (with DECODE_CORPUS_VERBOSE=1 each rule's fate too);
exit 1 on any mismatch or when the corpus does not load.
"""
import os
import re
import subprocess
import sys

TABLE = 'finesse'
SCRATCH = 'tscratch'
RAW = '# not understood: '


def nft(*args, stdin=None, check=True):
    p = subprocess.run(['nft', *args], input=stdin, capture_output=True,
                       text=True)
    if check and p.returncode:
        raise RuntimeError('nft %s: %s' % (' '.join(args), p.stderr.strip()))
    return p


def corpus(path):
    rules = []
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.strip() and not line.lstrip().startswith('#'):
            rules.append(line.strip())
    return rules


def listed(chain):
    """[(handle, text)] of the chain's rules as `nft -s -a list` prints them."""
    out = nft('-s', '-a', 'list', 'chain', 'inet', TABLE, chain).stdout
    rules = []
    for line in out.splitlines():
        m = re.match(r'^\t\t(.*) # handle (\d+)$', line)
        if m:
            rules.append((int(m.group(2)), m.group(1)))
    return rules


def bytecode(chain):
    """{handle: normalised expression lines} from nft --debug=netlink."""
    out = nft('--debug=netlink', 'list', 'chain', 'inet', TABLE, chain).stdout
    sets, rules = {}, {}
    cur = None
    for line in out.splitlines():
        m = re.match(r'^inet %s @(\S+)$' % TABLE, line)
        if m:
            cur = sets.setdefault(m.group(1), [])
            continue
        m = re.match(r'^inet %s %s (\d+)( \d+)?$' % (TABLE, chain), line)
        if m:
            cur = rules.setdefault(int(m.group(1)), [])
            continue
        if line.startswith('table '):
            break		# the listing that follows
        if cur is not None and line.strip():
            cur.append(line.strip())

    def norm(expr):
        expr = re.sub(r'\[ counter pkts \d+ bytes \d+ \]', '[ counter ]', expr)
        expr = re.sub(r' consumed \d+', '', expr)
        # an anonymous set by what it holds, not by its number
        return re.sub(r'set (__(?:set|map)\d+)',
                      lambda m: 'set {%s}' % '; '.join(
                          sorted(sets.get(m.group(1), ['?']))), expr)
    return {h: [norm(e) for e in v] for h, v in rules.items()}


def squeeze(text):
    return ' '.join(text.split())


def main():
    path, printer = sys.argv[1], sys.argv[2]
    chain = sys.argv[3] if len(sys.argv) > 3 else 'input'
    rules = corpus(path)
    before = {h for h, _ in listed(chain)}
    script = ''.join('add rule inet %s %s %s\n' % (TABLE, chain, r)
                     for r in rules)
    p = nft('-f', '-', stdin=script, check=False)
    if p.returncode:
        print('FAIL: the corpus does not load:\n' + p.stderr, file=sys.stderr)
        return 1
    added = [(h, t) for h, t in listed(chain) if h not in before]
    if len(added) != len(rules):
        print('FAIL: %d rules added, %d listed' % (len(rules), len(added)),
              file=sys.stderr)
        return 1
    out = subprocess.run([printer, TABLE, chain], capture_output=True,
                         text=True)
    if out.returncode:
        print('FAIL: %s exit %d: %s' % (printer, out.returncode, out.stderr),
              file=sys.stderr)
        return 1
    ours = {}
    for line in out.stdout.splitlines():
        h, _, text = line.partition('\t')
        ours[int(h)] = text
    orig = bytecode(chain)
    nft('add', 'chain', 'inet', TABLE, SCRATCH)

    understood = by_bytecode = raw = 0
    mismatches = []
    verbose = os.environ.get('DECODE_CORPUS_VERBOSE') == '1'
    for rule, (h, theirs) in zip(rules, added):
        mine = ours.get(h)
        if verbose:
            print('%-4s %s' % ('RAW' if mine and mine.startswith(RAW) else
                               'OK' if mine and squeeze(mine) == squeeze(theirs)
                               else '??', rule))
        if mine is None:
            mismatches.append((rule, theirs, '(rule missing)', 'not decoded'))
        elif mine.startswith(RAW):
            raw += 1
        elif squeeze(mine) == squeeze(theirs):
            understood += 1
        else:
            nft('flush', 'chain', 'inet', TABLE, SCRATCH)
            p = nft('add', 'rule', 'inet', TABLE, SCRATCH, mine, check=False)
            if p.returncode:
                why = 'nft refuses it: ' + p.stderr.strip().splitlines()[0]
            else:
                got = list(bytecode(SCRATCH).values())
                if len(got) == 1 and got[0] == orig.get(h):
                    understood += 1
                    by_bytecode += 1
                    continue
                why = 'bytecode %s, nft made %s' % (got, orig.get(h))
            mismatches.append((rule, theirs, mine, why))
    for rule, theirs, mine, why in mismatches:
        print('MISMATCH: %s\n  nft lists:  %s\n  we render:  %s\n  %s'
              % (rule, theirs, mine, why))
    print('%d rules, %d understood (%d of them by bytecode), %d not understood,'
          ' %d mismatches' % (len(rules), understood, by_bytecode, raw,
                              len(mismatches)))
    return 1 if mismatches else 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""`nft -j list ruleset` without what differs between two equal loads:
the metainfo object and every handle."""
import json
import sys


def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k != "handle"}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x


doc = json.load(open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin)
items = [i for i in doc["nftables"] if "metainfo" not in i]
print(json.dumps(strip(items), indent=1, sort_keys=True))

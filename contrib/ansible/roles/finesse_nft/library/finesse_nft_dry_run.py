#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run `finesse-nft dry-run`; its unified diff is the task's diff."""

DOCUMENTATION = r"""
module: finesse_nft_dry_run
short_description: Compare the live finesse-nft table with the plan
description:
  - Runs C(finesse-nft ... dry-run), which writes nothing.  Exit 0 (in sync)
    is ok, exit 1 (changes) is changed, and the unified diff from the live
    table to the plan is the task's diff (shown with C(--diff)); any other
    exit fails the task.
options:
  argv:
    description: The whole command line, the program first.
    type: list
    elements: str
    required: true
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(argv=dict(type="list", elements="str", required=True)),
        supports_check_mode=True,
    )
    rc, out, err = module.run_command(module.params["argv"])
    result = dict(
        rc=rc,
        stdout=out,
        stderr=err,
        stdout_lines=out.splitlines(),
        stderr_lines=err.splitlines(),
        changed=rc == 1,
    )
    if rc == 1:
        result["diff"] = dict(prepared=out)
    if rc not in (0, 1):
        module.fail_json(msg="finesse-nft dry-run failed (exit %d): %s" % (rc, err.strip()), **result)
    # exit 1 is not a failure here ("rc" != 0 alone would make it one)
    module.exit_json(failed=False, **result)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The five most expensive callers of each of the ten most expensive functions (self cost).

    callgrind_callers.py SELF.txt TREE.txt
SELF.txt is `callgrind_annotate OUT`, TREE.txt is `callgrind_annotate --tree=caller OUT`.
Used by profile_lkstream.sh.
"""

import re
import sys


def cost(line):
    return int(re.match(r"\s*([\d,]+)", line).group(1).replace(",", ""))


def main():
    with open(sys.argv[1]) as f:
        self_lines = [l for l in f.read().splitlines() if re.match(r"\s*[\d,]+ \(", l)]
    with open(sys.argv[2]) as f:
        tree = f.read().splitlines()
    for line in self_lines[1:11]:  # [0] is PROGRAM TOTALS
        name = line.split(")", 1)[1].strip()
        for i, t in enumerate(tree):
            if "*  " in t and t.split("*  ", 1)[1].strip() == name:
                print(t.rstrip()[:200])
                callers, j = [], i - 1
                while j >= 0 and " < " in tree[j]:
                    callers.append(tree[j])
                    j -= 1
                for c in sorted(callers, key=cost, reverse=True)[:5]:
                    print("    " + c.strip()[:220])
                print()
                break


if __name__ == "__main__":
    main()

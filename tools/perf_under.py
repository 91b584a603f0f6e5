#!/usr/bin/env python3
"""Where the time under one function goes, from `perf script -F comm,tid,ip,sym` output.

    perf record -F 999 --call-graph dwarf,16384 -m 64M -o perf.data -- target/release/falconry run ...
    perf script -i perf.data -F comm,tid,ip,sym > perf.txt
    tools/perf_under.py perf.txt 'Journal::write_answer' [--within 'Batch::run']

Prints how many samples have FUNCTION on their stack (optionally only those that also have WITHIN),
the functions it calls directly, by samples, and the leaf functions (self time) under it. perf's own
report filters by symbol but not by "anything below this frame"; this answers "what is this phase made of".
"""
import argparse
import collections


def stacks(path):
    """Each sample's frames, leaf first, as symbol names (addresses dropped)."""
    stack = []
    with open(path, errors="replace") as fh:
        for line in fh:
            if line.startswith(("\t", "        ")) and line.strip():
                stack.append(line.strip().split(" ", 1)[-1])
                continue
            if stack:
                yield stack
            stack = []
    if stack:
        yield stack


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("perf_script_output")
    ap.add_argument("function", help="a substring of the frame's symbol")
    ap.add_argument("--within", help="count only samples that also have this frame")
    ap.add_argument("--top", type=int, default=15)
    a = ap.parse_args()
    total = under = 0
    children, leaves = collections.Counter(), collections.Counter()
    for stack in stacks(a.perf_script_output):
        total += 1
        if a.within and not any(a.within in f for f in stack):
            continue
        for i, frame in enumerate(stack):
            if a.function in frame:
                under += 1
                leaves[stack[0]] += 1
                if i > 0:
                    children[stack[i - 1]] += 1
                break
    print(f"{under} of {total} samples have {a.function} on their stack")
    for title, counts in (("called directly", children), ("leaves (self time)", leaves)):
        print(f"{title}:")
        for name, n in counts.most_common(a.top):
            print(f"  {n:6d}  {name[:140]}")


if __name__ == "__main__":
    main()

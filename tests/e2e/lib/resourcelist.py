#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Text-level checks of KRM ResourceLists and YAML streams, standard library only.

The e2e tests must not depend on PyYAML. These checks read the block-style YAML that kustomize
(kyaml) writes: top-level keys at column 0, `items:` entries starting with `- ` at column 0,
two-space indentation. That is exactly what a function sees from kustomize and what this
function writes back (it edits the input bytes in place), so a textual comparison is both
possible and stricter than a semantic one: any byte the function changed shows up.

Commands:
  compare IN OUT          IN and OUT are ResourceLists. Checks that OUT is one document, has
                          the same apiVersion/kind, the same items (by kind/namespace/name, no
                          duplicates), each item's annotations byte-for-byte unchanged, each
                          item either unchanged or changed by added lines only, and the same
                          functionConfig; that OUT has results, each with a severity. Prints,
                          for every changed item, `== KIND NAMESPACE/NAME` then `+LINE` for each
                          added line (the caller compares that with what it expects).
  keys-list IN            Prints `KIND NAMESPACE/NAME` of each item of the ResourceList IN, sorted.
  keys-stream FILE        The same for each document of the `---`-separated stream FILE.
  set-function-config IN CONFIG
                          Prints IN with its functionConfig replaced by the YAML file CONFIG
                          (comments dropped, local-config annotation added, as kustomize does).
Exit status 0 when every check passes, 1 with a message on stderr otherwise.
"""
import re
import sys

def die(msg):
    sys.stderr.write("resourcelist.py: %s\n" % msg)
    sys.exit(1)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def split_top(text, what):
    """Top-level sections of a one-document ResourceList: {key: [lines]} in order."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for i, line in enumerate(lines):
        if line.startswith("---") and i > 0 or line.startswith("..."):
            die("%s: more than one YAML document (line %d: %r)" % (what, i + 1, line))
    if lines and lines[0].startswith("---"):
        lines = lines[1:]
    sections, order, cur = {}, [], None
    for i, line in enumerate(lines):
        m = re.match(r"^([A-Za-z][A-Za-z0-9]*):(.*)$", line)
        if m:
            cur = m.group(1)
            if cur in sections:
                die("%s: top-level key %s twice" % (what, cur))
            sections[cur] = [line]
            order.append(cur)
        elif line.startswith("#") or line == "":
            if cur:
                sections[cur].append(line)
        else:
            if cur is None or not (line.startswith(" ") or line.startswith("-")):
                die("%s: line %d is not block-style ResourceList YAML: %r" % (what, i + 1, line))
            sections[cur].append(line)
    for key in ("apiVersion", "kind", "items"):
        if key not in sections:
            die("%s: no top-level %s" % (what, key))
    if sections["kind"][0].strip() != "kind: ResourceList":
        die("%s: kind is not ResourceList: %r" % (what, sections["kind"][0]))
    if not sections["apiVersion"][0].startswith("apiVersion: config.kubernetes.io/"):
        die("%s: apiVersion is not config.kubernetes.io/*: %r" % (what, sections["apiVersion"][0]))
    return sections


def split_items(item_lines, what):
    """`items:` section -> list of item line lists (the `- ` / `  ` prefix removed)."""
    first = item_lines[0]
    if first.strip() == "items: []":
        return []
    if first.strip() != "items:":
        die("%s: items is not a block sequence: %r" % (what, first))
    items = []
    for line in item_lines[1:]:
        if line.startswith("- "):
            items.append([line[2:]])
        elif line == "-":
            items.append([""])
        elif line.startswith("  ") or line == "":
            if not items:
                die("%s: text before the first item: %r" % (what, line))
            items[-1].append(line[2:])
        else:
            die("%s: unexpected line in items: %r" % (what, line))
    return items


def item_meta(lines):
    """(kind, namespace, name, annotation line range) of one item (unindented lines)."""
    kind = ns = name = ""
    ann = (0, 0)
    top = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^([A-Za-z][\w./-]*):\s*(.*)$", line)
        if m:
            top = m.group(1)
            if top == "kind":
                kind = m.group(2)
        elif top == "metadata":
            m = re.match(r"^  (name|namespace|annotations):\s*(.*)$", line)
            if m and m.group(1) == "name":
                name = m.group(2)
            elif m and m.group(1) == "namespace":
                ns = m.group(2)
            elif m:
                j = i + 1
                while j < len(lines) and (lines[j].startswith("   ") or lines[j] == ""):
                    j += 1
                ann = (i, j)
                i = j
                continue
        i += 1
    return kind, ns, name, ann


def keyed_items(items, what):
    out = {}
    for it in items:
        kind, ns, name, ann = item_meta(it)
        key = (kind, ns, name)
        if not kind or not name:
            die("%s: an item without kind or metadata.name: %r" % (what, it[:3]))
        if key in out:
            die("%s: item %s %s/%s twice" % (what, kind, ns, name))
        out[key] = (it, ann)
    return out


def added_only(a, b):
    """The lines of b that are not in a, if a is a subsequence of b; else None."""
    added, i = [], 0
    for line in b:
        if i < len(a) and line == a[i]:
            i += 1
        else:
            added.append(line)
    return added if i == len(a) else None


def cmd_compare(inp, outp):
    si, so = split_top(read(inp), inp), split_top(read(outp), outp)
    for key in ("apiVersion", "kind"):
        if si[key] != so[key]:
            die("%s changed: %r -> %r" % (key, si[key], so[key]))
    if si.get("functionConfig") != so.get("functionConfig"):
        die("functionConfig changed")
    ii = keyed_items(split_items(si["items"], inp), inp)
    oi = keyed_items(split_items(so["items"], outp), outp)
    missing = sorted(set(ii) - set(oi))
    extra = sorted(set(oi) - set(ii))
    if missing:
        die("items missing from the output (kustomize would delete them): %s" % missing)
    if extra:
        die("items not in the input appeared in the output: %s" % extra)
    report = []
    for key in ii:  # input order
        (a, aa), (b, ba) = ii[key], oi[key]
        if a[aa[0]:aa[1]] != b[ba[0]:ba[1]]:
            die("annotations of %s %s/%s changed" % key)
        if a == b:
            continue
        added = added_only(a, b)
        if added is None:
            die("%s %s/%s: lines were changed or removed, not only added" % key)
        report.append("== %s %s/%s" % key)
        report.extend("+" + line for line in added)
    res = so.get("results")
    if not res:
        die("%s: no results" % outp)
    n_msg = sum(1 for l in res if l.startswith("- message: "))
    n_sev = sum(1 for l in res if re.match(r"^  severity: (error|warning|info)$", l))
    if n_msg == 0 or n_msg != n_sev:
        die("%s: %d results but %d severities" % (outp, n_msg, n_sev))
    changed = sum(1 for r in report if r.startswith("== "))
    print("items: %d in, %d out, %d changed; results: %d" % (len(ii), len(oi), changed, n_msg))
    for line in report:
        print(line)


def cmd_keys_list(inp):
    si = split_top(read(inp), inp)
    for key in sorted(keyed_items(split_items(si["items"], inp), inp)):
        print("%s %s/%s" % key)


def cmd_keys_stream(path):
    text = read(path)
    docs = [d for d in re.split(r"(?m)^---[^\n]*\n", text) if d.strip()]
    keys = [item_meta(d.rstrip("\n").split("\n"))[:3] for d in docs]
    if len(set(keys)) != len(keys):
        die("%s: a resource appears twice" % path)
    for key in sorted(keys):
        print("%s %s/%s" % key)


def cmd_set_function_config(inp, config):
    si = split_top(read(inp), inp)
    cfg = [l for l in read(config).split("\n") if l.strip() and not l.lstrip().startswith("#")]
    out = []
    for line in cfg:
        out.append("  " + line)
        if line == "  annotations:":
            out.append("      config.kubernetes.io/local-config: 'true'")
    if "  annotations:" not in cfg:
        die("%s: expected metadata.annotations (the exec function annotation)" % config)
    si["functionConfig"] = ["functionConfig:"] + out
    sys.stdout.write("\n".join(l for k in si for l in si[k]) + "\n")


def main(argv):
    if len(argv) == 4 and argv[1] == "compare":
        cmd_compare(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "keys-list":
        cmd_keys_list(argv[2])
    elif len(argv) == 3 and argv[1] == "keys-stream":
        cmd_keys_stream(argv[2])
    elif len(argv) == 4 and argv[1] == "set-function-config":
        cmd_set_function_config(argv[2], argv[3])
    else:
        die("usage: see the docstring")


if __name__ == "__main__":
    main(sys.argv)

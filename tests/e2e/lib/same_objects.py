#!/usr/bin/env python3
"""same_objects.py A B: the YAML streams A and B hold the same objects (by apiVersion, kind,
namespace and name), each equal after parsing; prints what differs and exits 1 otherwise."""
import sys

import yaml


def objects(path):
    out = {}
    for doc in yaml.safe_load_all(open(path)):
        if doc is None:
            continue
        md = doc.get("metadata", {})
        key = (doc.get("apiVersion"), doc.get("kind"), md.get("namespace"), md.get("name"))
        if key in out:
            sys.exit(f"same_objects.py: {path}: {key} twice")
        out[key] = doc
    return out


a, b = objects(sys.argv[1]), objects(sys.argv[2])
bad = [f"only in {sys.argv[1]}: {k}" for k in a.keys() - b.keys()]
bad += [f"only in {sys.argv[2]}: {k}" for k in b.keys() - a.keys()]
bad += [f"differs: {k}" for k in a.keys() & b.keys() if a[k] != b[k]]
for line in sorted(bad):
    print(line, file=sys.stderr)
sys.exit(1 if bad else 0)

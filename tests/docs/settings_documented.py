#!/usr/bin/env python3
"""README.md and the man page document exactly the settings table: no setting left out, none
that the function does not have. Usage: settings_documented.py TABLE.tsv README.md MANPAGE
(TABLE.tsv is what tests/tools/settings-table prints)."""
import re
import sys

table_path, readme_path, man_path = sys.argv[1:4]
rows = [line.rstrip("\n").split("\t") for line in open(table_path) if line.strip()]
configmap_keys = {r[0] for r in rows if r[1] == "1"}
typed_paths = {r[2][len("spec."):] for r in rows if r[2] != "-"}
flags = {r[3] for r in rows if r[3] != "-"} | {r[4] for r in rows if r[4] != "-"} | {"--config"}
readme = open(readme_path).read()
man = open(man_path).read()
checks = 0
failures = []


def section(text, start, end):
    i = text.index(start)
    return text[i:text.index(end, i + len(start))]


def compare(what, documented, want):
    global checks
    checks += 1
    if documented != want:
        failures.append(f"{what}: missing {sorted(want - documented)}, "
                        f"not a setting {sorted(documented - want)}")


def under(path, setting):
    return path == setting or path.startswith(setting + ".") or path.startswith(setting + "[]")


def compare_typed(what, documented):
    """Every documented field lies on a setting's path; every setting's path is documented."""
    global checks
    checks += 1
    extra = {d for d in documented if not any(under(d, t) or under(t, d) for t in typed_paths)}
    missing = {t for t in typed_paths if not any(under(d, t) for d in documented)}
    if extra or missing:
        failures.append(f"{what}: missing {sorted(missing)}, not a setting {sorted(extra)}")


def yaml_paths(block):
    """Key paths below `spec:` of a YAML example ("from[].namespace"), flow maps included."""
    paths, stack = set(), []
    for line in block.splitlines():
        m = re.match(r"^(\s*)(- )?([A-Za-z][\w.]*):\s*(.*)$", re.sub(r"\s+#.*", "", line))
        if not m:
            continue
        indent = len(m.group(1)) + (2 if m.group(2) else 0)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else ""
        if m.group(2):  # a list item: its keys, at the item's indent, are under `parent[]`
            if not parent.endswith("[]"):
                parent += "[]"
            stack.append((indent - 1, parent))
        path = f"{parent}.{m.group(3)}" if parent else m.group(3)
        paths.add(path)
        value = m.group(4)
        inner = path + "[]" if value.startswith("[") else path
        for key in re.findall(r"[{,]\s*([A-Za-z][\w.]*):", value):
            paths.add(f"{inner}.{key}")
        stack.append((indent, path))
    return {p[len("spec."):] for p in paths if p.startswith("spec.")}


# README: the typed example and its field table, the ConfigMap example, the flags.
typed = section(readme, "kind: AllowNamespaceIngress", "```")
compare_typed("README typed-form example", yaml_paths(typed[typed.index("spec:"):]))
fields = set()
for cell in re.findall(r"^\| ([^|]+) \|", section(readme, "| field | type |", "\n\n"), re.M)[1:]:
    fields |= set(re.findall(r"`([^`]+)`", cell))
compare_typed("README typed-form field table", fields)
configmap = section(readme, "### ConfigMap form", "### Command-line flags")
compare("README ConfigMap example",
        set(re.findall(r"^  (\w+):", configmap[configmap.index("\ndata:"):], re.M)), configmap_keys)
compare("README flags", set(re.findall(r"`(--[a-z-]+)", section(readme, "### Command-line flags",
                                                                   "\n## "))), flags)

# The man page: the config options, the typed example, the ConfigMap keys.
options = section(man, ".SH OPTIONS", ".SS Input")
compare("man page OPTIONS",
        {f.replace("\\-", "-") for f in re.findall(r"^\.BI? (\\-\\-[\\a-z-]+)", options, re.M)},
        flags)
man_typed = section(man, ".SS AllowNamespaceIngress", ".RE")
compare_typed("man page typed-form example", yaml_paths(man_typed[man_typed.index("spec:"):]))
keys = set()
for line in re.findall(r"^\.B (.*)$", section(man, ".SS ConfigMap (v1)", ".SH "), re.M):
    keys |= {k for k in re.split(r"\\fR, \\fP", line) if re.fullmatch(r"[a-z]+[A-Z][A-Za-z]*|mode|ports", k)}
compare("man page ConfigMap keys", keys, configmap_keys)

for f in failures:
    print("FAIL", f)
print(f"settings documented: {checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)

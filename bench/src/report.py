#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Turn bench/run.sh's raw measurements into the results tables and the target verdicts.

Input: a raw TSV with one line per run (input, program, input bytes, wall seconds, peak RSS KiB,
exit status, CPU seconds), the inputs.tsv written by gen-inputs.py, a machine description
(key=value lines) and, with --callgrind, an index of instruction counts (input, program, total,
callgrind_annotate output file).
Output: a plain-text report on stdout and the same as Markdown in --md. Exit status 0, or 3 with
--strict when a target failed (a target that could not be measured because the function failed
counts as failed; one skipped by --quick does not).
"""

import argparse
import os
import re
import statistics
import sys

INPUT_ORDER = ["empty.yaml", "flux.yaml", "synth-1x.yaml", "synth-4x.yaml", "synth-16x.yaml"]
KUSTOMIZE_INPUTS = ["kustomize-list.yaml", "kustomize-stream.yaml"]
DISCARDED = "function, output discarded"
PREFAULTED = "libyaml parse-only, prefaulted read"
PARSE_PROGRAMS = ["cat", "libfyaml parse-only", "libyaml parse-only", "function", DISCARDED,
                  "libyaml parse-only again", PREFAULTED, "function before"]
FLOOR_LIMIT = 1.05  # issue 12: the function against the bare libyaml parse it is built on
KUSTOMIZE_PROGRAMS = ["kustomize built-in patches", "kustomize pass-through plugin",
                      "kustomize function plugin"]
MiB = 1024 * 1024


def fmt_ms(s):
    ms = s * 1e3
    if ms < 1:
        return "%.3f" % ms
    if ms < 10:
        return "%.2f" % ms
    if ms < 100:
        return "%.1f" % ms
    return "%.0f" % ms


def fmt_ratio(x):
    if x is None:
        return "-"
    if x < 10:
        return "%.3fx" % x if x < 0.1 else "%.2fx" % x
    return "%.1fx" % x


def fmt_mbs(x):
    if x >= 1000:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    return "%.2f" % x


class Row:
    def __init__(self, inp, prog, nbytes):
        self.input, self.program, self.bytes = inp, prog, nbytes
        self.walls, self.rss, self.cpus, self.bad = [], [], [], []

    @property
    def ok(self):
        return not self.bad and len(self.walls) > 0

    @property
    def runs(self):
        return len(self.walls)

    @property
    def median(self):
        return statistics.median(self.walls)

    @property
    def mbs(self):
        return self.bytes / self.median / 1e6

    @property
    def rss_median_mib(self):
        return statistics.median(self.rss) / 1024.0

    @property
    def rss_max_mib(self):
        return max(self.rss) / 1024.0


def load(raw):
    rows = {}
    with open(raw) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) != 7:
                continue
            inp, prog, nbytes, wall, rss, st, cpu = p
            r = rows.setdefault((inp, prog), Row(inp, prog, int(nbytes)))
            if int(st) == 0:
                r.walls.append(float(wall))
                r.rss.append(int(rss))
                r.cpus.append(float(cpu))
            else:
                r.bad.append(int(st))
    return rows


def paired(a, b, field="walls"):
    """Ratios a/b of the runs made in the same round (the k-th run of each), or []."""
    if a is None or b is None or not a.ok or not b.ok:
        return []
    return [x / y for x, y in zip(getattr(a, field), getattr(b, field)) if y > 0]


def quantile(xs, q):
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo = int(k)
    return xs[lo] + (xs[min(lo + 1, len(xs) - 1)] - xs[lo]) * (k - lo)


def load_callgrind(index):
    """{(input, program): (total Ir, {symbol: self Ir})} from run.sh's callgrind index."""
    out = {}
    with open(index) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) != 4 or not p[2]:
                continue
            syms = {}
            with open(p[3]) as g:
                for l in g:
                    m = re.match(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*\S)\s+\[(.*)\]\s*$", l)
                    if m:
                        obj = os.path.basename(m.group(3))
                        sym = re.sub(r"^.*/", "", m.group(2))
                        if obj.startswith(("lib", "ld-")):  # not the program itself
                            sym += " [%s]" % obj
                        syms[sym] = syms.get(sym, 0) + int(m.group(1).replace(",", ""))
            out[(p[0], p[1])] = (int(p[2]), syms)
    return out


def table(header, body, align):
    """Return (text lines, markdown lines) for a table."""
    w = [max(len(str(x)) for x in col) for col in zip(header, *body)] if body else [len(h) for h in header]
    def line(cells):
        return "  ".join((str(c).rjust(w[i]) if align[i] == "r" else str(c).ljust(w[i]))
                         for i, c in enumerate(cells)).rstrip()
    text = [line(header), line(["-" * x for x in w])] + [line(b) for b in body]
    md = ["| " + " | ".join(header) + " |",
          "|" + "|".join({"l": ":---", "c": ":---:"}.get(a, "---:") for a in align) + "|"]
    md += ["| " + " | ".join(str(c).replace("|", "\\|") for c in b) + " |" for b in body]
    return text, md


def status_text(r):
    if r is None:
        return "not run"
    if r.bad:
        s = r.bad[0]
        return "FAILED (%s)" % ("timeout" if s == 124 else "signal %d" % (s - 128) if s > 128 else "exit %d" % s)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--machine", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--command", default="bench/run.sh")
    ap.add_argument("--function", default="")
    ap.add_argument("--standin", type=int, default=0)
    ap.add_argument("--big", default="")
    ap.add_argument("--notes", default="", help="file with extra lines for the notes section")
    ap.add_argument("--callgrind", default="", help="run.sh's index of callgrind results")
    ap.add_argument("--strict", action="store_true")
    a = ap.parse_args()

    rows = load(a.raw)
    sizes = {}
    with open(a.inputs) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[0] != "name":
                sizes[p[0]] = (int(p[1]), int(p[2]))
    machine = []
    with open(a.machine) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                machine.append((k, v))
    order = INPUT_ORDER + ([a.big] if a.big else []) + KUSTOMIZE_INPUTS
    inputs = [i for i in order if any(k[0] == i for k in rows)]

    out_txt, out_md = [], []

    def both(s=""):
        out_txt.append(s)
        out_md.append(s)

    def section(title, txt_lines, md_lines):
        """A titled table in both reports, then a blank line."""
        out_txt.append(title)
        out_txt.extend(txt_lines)
        out_md.extend(["## " + title, ""] + md_lines)
        both("")

    out_md.append("# allow-namespace-ingress benchmark results")
    out_md.append("")
    if a.standin:
        both("**STAND-IN RUN: the 'function' rows are `%s`, not allow-namespace-ingress.** "
             "Every function figure and every PASS/FAIL below describes that stand-in, not the "
             "function." % a.function)
        both("")
    both("Command: `%s`" % a.command)
    both("")
    for k, v in machine:
        both("- %s: %s" % (k, v))
    both("- function: `%s`%s" % (a.function, " (stand-in)" if a.standin else ""))
    both("")
    both("Times are wall-clock milliseconds over the runs (median, min, max); MB/s is input bytes "
         "(1 MB = 10^6 bytes) / median time; peak RSS is ru_maxrss from wait4, median (max) over "
         "the runs, in MiB; `x cat` etc. are median-time ratios (this row / that baseline, same "
         "input, same invocation).")
    both("")

    # Table 1: per input
    hdr = ["input", "size", "program", "runs", "median ms", "min ms", "max ms", "MB/s",
           "peak RSS MiB", "x cat", "x libfyaml", "x libyaml"]
    body = []
    for inp in inputs:
        nbytes = sizes.get(inp, (0, 0))[0]
        base = {p: rows.get((inp, p)) for p in PARSE_PROGRAMS}
        for prog in PARSE_PROGRAMS:
            r = rows.get((inp, prog))
            if r is None:
                continue
            label = prog + (" (stand-in)" if prog == "function" and a.standin else "")
            size = "%.3f MB" % (nbytes / 1e6) if nbytes >= 100000 else "%d B" % nbytes
            if not r.ok:
                body.append([inp, size, label, str(r.runs), status_text(r)] + [""] * 7)
                continue
            rat = []
            for b in ("cat", "libfyaml parse-only", "libyaml parse-only"):
                br = base.get(b)
                rat.append(fmt_ratio(r.median / br.median) if br is not None and br.ok and b != prog else "-")
            body.append([inp, size, label, str(r.runs), fmt_ms(r.median), fmt_ms(min(r.walls)),
                         fmt_ms(max(r.walls)), fmt_mbs(r.mbs),
                         "%.1f (%.1f)" % (r.rss_median_mib, r.rss_max_mib)] + rat)
    t, m = table(hdr, body, "lllrrrrrrrrr")
    out_txt.append("Function and parse baselines")
    out_txt.extend(t)
    out_md.append("## Function and parse baselines")
    out_md.append("")
    out_md.extend(m)
    both("")

    # Table 2: the function against the bare libyaml parse (issue 12)
    cg = load_callgrind(a.callgrind) if a.callgrind else {}
    before = any(k[1] == "function before" for k in rows)
    hdr = ["input", "pairs", "x libyaml (wall)", "pairs 10-90%", "x libyaml (CPU)", "x libfyaml (wall)",
           "output discarded: x libyaml (wall)", "libyaml again x libyaml (wall)", "its 10-90%",
           "x libyaml prefaulted read (wall)", "Ir function", "Ir libyaml", "x libyaml (Ir)"]
    if before:
        hdr += ["before: x libyaml (wall)", "before: x libyaml (Ir)"]
    body = []
    floor = {}  # input -> (wall ratios, Ir ratio or None, the baseline's ratios to itself)

    def ir_ratio(inp, prog):
        f, b = cg.get((inp, prog)), cg.get((inp, "libyaml parse-only"))
        return f[0] / b[0] if f and b and b[0] else None

    for inp in inputs:
        ly, fy = rows.get((inp, "libyaml parse-only")), rows.get((inp, "libfyaml parse-only"))
        w = paired(rows.get((inp, "function")), ly)
        if not w:
            continue
        c = paired(rows.get((inp, "function")), ly, "cpus")
        x = ir_ratio(inp, "function")
        aa = paired(rows.get((inp, "libyaml parse-only again")), ly)
        dw = paired(rows.get((inp, DISCARDED)), ly)
        pf = paired(rows.get((inp, "function")), rows.get((inp, PREFAULTED)))
        floor[inp] = (w, x, aa, pf)
        fl = paired(rows.get((inp, "function")), fy)
        fc, lc = cg.get((inp, "function")), cg.get((inp, "libyaml parse-only"))
        row = [inp, str(len(w)), "%.3fx" % statistics.median(w),
               "%.3f-%.3f" % (quantile(w, 0.1), quantile(w, 0.9)),
               "%.3fx" % statistics.median(c) if c else "-",
               "%.3fx" % statistics.median(fl) if fl else "-",
               "%.3fx" % statistics.median(dw) if dw else "-",
               "%.3fx" % statistics.median(aa) if aa else "-",
               "%.3f-%.3f" % (quantile(aa, 0.1), quantile(aa, 0.9)) if aa else "-",
               "%.3fx" % statistics.median(pf) if pf else "-",
               "%.1f M" % (fc[0] / 1e6) if fc else "-", "%.1f M" % (lc[0] / 1e6) if lc else "-",
               "%.3fx" % x if x is not None else "-"]
        if before:
            bw = paired(rows.get((inp, "function before")), ly)
            bx = ir_ratio(inp, "function before")
            row += ["%.3fx" % statistics.median(bw) if bw else "-", "%.3fx" % bx if bx is not None else "-"]
        body.append(row)
    if body:
        t, m = table(hdr, body, "lr" + "r" * (len(hdr) - 2))
        title = "The function against the bare libyaml parse it is built on (issue 12)"
        out_txt.append(title)
        out_txt.extend(t)
        out_md.append("## " + title)
        out_md.append("")
        both("Ratios are medians over the rounds of (function run / libyaml parse-only run of the same "
             "round; the two run one after the other, in alternating order); `pairs 10-90%` is the "
             "spread of those ratios. The function writes its output (the input's size) to the sink, "
             "the parse baselines write nothing: `output discarded` is the same function with its "
             "stdout on /dev/null, so the two ratios differ by what writing the output costs. "
             "`libyaml again`: the same libyaml binary run once more in each round and paired with the "
             "first run the same way: a ratio that is 1 on a quiet machine, so its distance from 1 and "
             "its spread are the noise of this one. `prefaulted read`: the function reads its input "
             "into pages it maps a MiB at a time (madvise MADV_POPULATE_WRITE), huge pages for a big "
             "input (MADV_HUGEPAGE), instead of taking a page fault per 4 KiB page, and libyaml "
             "parse-only does not; this column pairs the function "
             "with libyaml parse-only reading the same way, so it is the function's cost over the "
             "parse alone, without what its reader saves. CPU is user + system time. Ir: "
             "instructions counted by callgrind (`--callgrind`), which the load of the machine does "
             "not change.")
        both("")
        out_md.extend(m)
        both("")
    if cg:
        hdr = ["input", "function - libyaml (Ir)", "where (instructions outside libyaml, function minus libyaml parse-only, % of the parse)"]
        body = []
        for inp in inputs:
            fc, lc = cg.get((inp, "function")), cg.get((inp, "libyaml parse-only"))
            if not fc or not lc:
                continue
            diff = [(fc[1].get(k, 0) - lc[1].get(k, 0), k) for k in set(fc[1]) | set(lc[1]) if "libyaml" not in k]
            top = [(d, k) for d, k in sorted(diff, reverse=True)[:6] if d > 0]
            body.append([inp, "%+.2f%%" % (100.0 * (fc[0] - lc[0]) / lc[0]),
                         ", ".join("%s %+.2f%%" % (k, 100.0 * d / lc[0]) for d, k in top)])
        section("Where the function's instructions beyond the bare parse go",
                *table(hdr, body, "lrl"))

    # Table 3: kustomize on flux
    kr = {p: rows.get(("flux.yaml", p)) for p in KUSTOMIZE_PROGRAMS}
    fn_flux = rows.get(("flux.yaml", "function"))
    if any(kr.values()):
        hdr = ["program (Flux input)", "runs", "median ms", "min ms", "max ms", "peak RSS MiB",
               "x built-in", "x pass-through"]
        body = []
        for prog in KUSTOMIZE_PROGRAMS + ["function"]:
            r = kr.get(prog) if prog != "function" else fn_flux
            if r is None:
                continue
            label = prog if prog != "function" else "function alone (KRM mode, flux.yaml)"
            if a.standin and prog in ("function", "kustomize function plugin"):
                label += " (stand-in)"
            if not r.ok:
                body.append([label, str(r.runs), status_text(r), "", "", "", "", ""])
                continue
            rat = []
            for b in KUSTOMIZE_PROGRAMS[:2]:
                br = kr.get(b)
                rat.append(fmt_ratio(r.median / br.median) if br is not None and br.ok and b != prog else "-")
            body.append([label, str(r.runs), fmt_ms(r.median), fmt_ms(min(r.walls)), fmt_ms(max(r.walls)),
                         "%.1f (%.1f)" % (r.rss_median_mib, r.rss_max_mib)] + rat)
        t, m = table(hdr, body, "lrrrrrrr")
        out_txt.append("kubectl kustomize on the Flux install + octopilot-system Namespace")
        out_txt.extend(t)
        out_md.append("## kubectl kustomize on the Flux install + octopilot-system Namespace")
        out_md.append("")
        out_md.extend(m)
        both("")

    # Targets
    verdicts = []

    def verdict(name, value_text, limit_text, ok):
        verdicts.append([name, value_text, limit_text, ok])

    def fn(inp):
        return rows.get((inp, "function"))

    def bad(r, what):
        return "%s %s" % (what, status_text(r) or "not measured")

    # 1
    name1 = "1. throughput on %s vs libfyaml parse-only" % (a.big or "the big input")
    f, b = (fn(a.big), rows.get((a.big, "libfyaml parse-only"))) if a.big else (None, None)
    if not a.big:
        verdict(name1, "not measured (--quick or --big-mb 0)", ">= 0.9", None)
    elif f is None or not f.ok or b is None or not b.ok:
        verdict(name1, bad(f if (f is None or not f.ok) else b, "function" if (f is None or not f.ok) else "libfyaml"), ">= 0.9", False)
    else:
        x = b.median / f.median
        verdict(name1, "%s / %s MB/s = %.3f" % (fmt_mbs(f.mbs), fmt_mbs(b.mbs), x), ">= 0.9", x >= 0.9)
    # 2
    for inp in inputs:
        f = fn(inp)
        nbytes = sizes.get(inp, (0, 0))[0]
        lim = (1.1 * nbytes + 16 * MiB) / MiB
        name = "2. peak RSS on %s" % inp
        if f is None or not f.ok:
            verdict(name, bad(f, "function"), "<= %.1f MiB" % lim, False)
        else:
            verdict(name, "%.1f MiB (max %.1f)" % (f.rss_median_mib, f.rss_max_mib), "<= %.1f MiB (1.1 x input + 16 MiB)" % lim,
                    f.rss_median_mib <= lim)
    # 3
    f1, f16 = fn("synth-1x.yaml"), fn("synth-16x.yaml")
    if f1 and f1.ok and f16 and f16.ok:
        x = f16.median / f1.median
        verdict("3. time on 16x / time on 1x", "%s / %s ms = %.2f" % (fmt_ms(f16.median), fmt_ms(f1.median), x), "<= 17", x <= 17)
    else:
        verdict("3. time on 16x / time on 1x", bad(f16 if f1 and f1.ok else f1, "function"), "<= 17", False)
    # 4
    kb, kc, kf = kr.get(KUSTOMIZE_PROGRAMS[0]), kr.get(KUSTOMIZE_PROGRAMS[1]), kr.get(KUSTOMIZE_PROGRAMS[2])
    if fn_flux and fn_flux.ok and kb and kb.ok:
        x = fn_flux.median / kb.median
        verdict("4a. function on flux.yaml / kustomize built-in patches",
                "%s / %s ms = %.2f%%" % (fmt_ms(fn_flux.median), fmt_ms(kb.median), 100 * x), "<= 3%", x <= 0.03)
    else:
        verdict("4a. function on flux.yaml / kustomize built-in patches",
                bad(kb if fn_flux and fn_flux.ok else fn_flux, "function" if not (fn_flux and fn_flux.ok) else "kustomize"), "<= 3%", False)
    if kf and kf.ok and kc and kc.ok:
        x = kf.median / kc.median
        verdict("4b. kustomize with function plugin / with pass-through plugin",
                "%s / %s ms = %.3f" % (fmt_ms(kf.median), fmt_ms(kc.median), x), "<= 1.03", x <= 1.03)
    else:
        verdict("4b. kustomize with function plugin / with pass-through plugin",
                bad(kf if not (kf and kf.ok) else kc, "kustomize"), "<= 1.03", False)
    # 5
    fe, ce = fn("empty.yaml"), rows.get(("empty.yaml", "cat"))
    if fe and fe.ok and ce and ce.ok:
        x = fe.median / ce.median
        verdict("5. start-up: function / cat on empty.yaml", "%s / %s ms = %.2f" % (fmt_ms(fe.median), fmt_ms(ce.median), x),
                "<= 2", x <= 2)
    else:
        verdict("5. start-up: function / cat on empty.yaml", bad(fe, "function"), "<= 2", False)

    # 6 (issue 12)
    for inp in inputs:
        if inp == "empty.yaml" or inp not in floor:
            continue
        w, x, aa, pf = floor[inp]
        m = statistics.median(w)
        noise = "; libyaml with itself: %.3f" % statistics.median(aa) if aa else ""
        if pf:
            noise += "; x libyaml reading as the function does: %.3f" % statistics.median(pf)
        verdict("6. function / libyaml parse-only on %s, wall" % inp,
                "%.3f (median of %d pairs; 10-90%%: %.3f-%.3f%s)" % (m, len(w), quantile(w, 0.1), quantile(w, 0.9),
                                                                  noise),
                "<= %.2f" % FLOOR_LIMIT, m <= FLOOR_LIMIT)
        if cg:
            verdict("6. function / libyaml parse-only on %s, instructions" % inp,
                    "%.4f" % x if x is not None else "not counted",
                    "<= %.2f" % FLOOR_LIMIT, None if x is None else x <= FLOOR_LIMIT)

    body = [[n, v, l, "SKIP" if ok is None else "PASS" if ok else "FAIL"] for n, v, l, ok in verdicts]
    section("Targets (GitHub issues 5 and 12)" + (" -- STAND-IN, not the function" if a.standin else ""),
            *table(["target", "measured", "limit", "result"], body, "lllc"))
    if a.notes:
        with open(a.notes) as f:
            notes = [l.rstrip("\n") for l in f if l.strip()]
        if notes:
            out_md.append("## Notes")
            out_md.append("")
            out_txt.append("Notes")
            for n in notes:
                both("- " + n)
            both("")

    sys.stdout.write("\n".join(out_txt) + "\n")
    with open(a.md, "w") as f:
        f.write("\n".join(out_md).rstrip("\n") + "\n")
    failed = any(ok is False for _, _, _, ok in verdicts)
    return 3 if a.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The allow-namespace-ingress benchmark (GitHub issue 5). Not part of the test suite.
#
#   bench/run.sh [--runs N] [--quick] [--bin PATH] [--sink file|null] [--strict] [...]
#
# Generates the inputs if missing (bench/gen-inputs.py into bench/out/), builds the baselines
# (bench/src/*.c, with cc into bench/out/bin/), then measures on each input, interleaved in the
# same invocation: cat, libfyaml parse-only, libyaml parse-only, the function (KRM mode), the function
# with its output discarded, and libyaml parse-only again (the machine's noise: the same program
# paired with itself), and on
# the Flux input kubectl kustomize with built-in patches, with a pass-through legacy plugin and with
# the function as the legacy plugin; with --callgrind, also the instruction counts of the function
# and the libyaml parse-only baseline (valgrind --tool=callgrind). Prints the table and the
# targets' PASS/FAIL, and writes them as Markdown to bench/results/latest.md. See bench/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
RESULTS=$HERE/results

RUNS=
KRUNS=
SRUNS=
QUICK=0
SINK="file"
STRICT=
TIMEOUT=600
CALLGRIND=0
BEFORE_BIN=
ANI_BIN_FROM_ENV=${ANI_BIN:+1}
ANI_BIN=${ANI_BIN:-$ROOT/build/allow-namespace-ingress}
CC=${CC:-cc}
ORIG_ARGS=("$@")

usage() {
	cat <<EOF
usage: bench/run.sh [options]

  --runs N            measured runs per program and input (default 20; 5 with --quick)
  --kustomize-runs N  runs of each kubectl kustomize build (default 20; 10 with --quick)
  --small-runs N      runs per program on the two small inputs, the empty ResourceList and the Flux
                      install (a run takes milliseconds: many runs make its medians steady;
                      default 300; 100 with --quick)
  --quick             fewer runs, and skip the ~100 MB input
  --bin PATH          the function binary (default: \$ANI_BIN, else build/allow-namespace-ingress)
  --sink file|null    where every program's stdout goes: a file in a temporary directory
                      (default) or /dev/null
  --timeout S         kill a run after S seconds (default 600); the program is then marked failed
  --callgrind         also count instructions (valgrind --tool=callgrind) of the function and
                      libyaml parse-only on one input of each shape (all but the bigger synth-*)
  --before PATH       another build of the function (e.g. of an older commit), run and counted
                      beside the function in every round, as "function before"
  --strict            exit 3 when a target fails (default: exit 0 whatever the targets say)
  -h, --help          this help

Environment: ANI_BIN (function binary), CC (C compiler, default cc), TMPDIR.
EOF
}

die() {
	echo "bench/run.sh: $*" >&2
	exit 2
}

posint() {
	[[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive integer, got '$2'"
}

while [ $# -gt 0 ]; do
	case $1 in
	--runs) [ $# -ge 2 ] || die "--runs needs a value"; posint "$1" "$2"; RUNS=$2; shift 2 ;;
	--runs=*) posint --runs "${1#*=}"; RUNS=${1#*=}; shift ;;
	--kustomize-runs) [ $# -ge 2 ] || die "$1 needs a value"; posint "$1" "$2"; KRUNS=$2; shift 2 ;;
	--small-runs) [ $# -ge 2 ] || die "$1 needs a value"; posint "$1" "$2"; SRUNS=$2; shift 2 ;;
	--quick) QUICK=1; shift ;;
	--bin) [ $# -ge 2 ] || die "--bin needs a value"; ANI_BIN=$2; shift 2 ;;
	--bin=*) ANI_BIN=${1#*=}; shift ;;
	--sink) [ $# -ge 2 ] || die "--sink needs a value"; SINK=$2; shift 2 ;;
	--sink=*) SINK=${1#*=}; shift ;;
	--timeout) [ $# -ge 2 ] || die "--timeout needs a value"; posint "$1" "$2"; TIMEOUT=$2; shift 2 ;;
	--strict) STRICT=--strict; shift ;;
	--callgrind) CALLGRIND=1; shift ;;
	--before) [ $# -ge 2 ] || die "--before needs a value"; BEFORE_BIN=$2; shift 2 ;;
	--before=*) BEFORE_BIN=${1#*=}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done
case $SINK in file | null) ;; *) die "--sink must be 'file' or 'null'" ;; esac
if [ "$QUICK" = 1 ]; then
	: "${RUNS:=5}" "${KRUNS:=10}" "${SRUNS:=100}"
else
	: "${RUNS:=20}" "${KRUNS:=20}" "${SRUNS:=300}"
fi
[ "$KRUNS" -ge "$RUNS" ] || KRUNS=$RUNS
[ "$SRUNS" -ge "$RUNS" ] || SRUNS=$RUNS
[ "$RUNS" -ge 5 ] || echo "bench/run.sh: warning: the targets are defined on at least 5 runs; --runs $RUNS is fewer" >&2

# --- tools ------------------------------------------------------------------------------------
need() {
	command -v "$1" >/dev/null 2>&1 || die "'$1' not found: $2"
}
need python3 "install python3 (the input generator and the report use only its standard library)"
need "$CC" "install a C compiler (gcc or clang), or set CC"
need pkg-config "install pkg-config"
need kubectl "install kubectl (the Debian package kubectl; kubectl kustomize is a baseline)"
pkg-config --exists libfyaml || die "libfyaml not found by pkg-config: install libfyaml-dev"
pkg-config --exists yaml-0.1 || die "libyaml not found by pkg-config: install libyaml-dev"
[ "$CALLGRIND" = 0 ] || need valgrind "install valgrind (--callgrind counts instructions with it)"
[ "$CALLGRIND" = 0 ] || need callgrind_annotate "install valgrind (it has callgrind_annotate)"

case $ANI_BIN in
*/*) ;;
*) ANI_BIN=$(command -v "$ANI_BIN" || true) ;;
esac
if [ -z "$ANI_BIN" ] || [ ! -f "$ANI_BIN" ] || [ ! -x "$ANI_BIN" ]; then
	die "function binary not found or not executable: ${ANI_BIN:-(empty)}
  build it first:  cmake -S . -B build && cmake --build build
  or point to it:  ANI_BIN=/path/to/allow-namespace-ingress bench/run.sh   (or --bin PATH)"
fi
ANI_BIN=$(realpath "$ANI_BIN")
if [ -n "$BEFORE_BIN" ]; then
	[ -f "$BEFORE_BIN" ] && [ -x "$BEFORE_BIN" ] || die "--before: not an executable: $BEFORE_BIN"
	BEFORE_BIN=$(realpath "$BEFORE_BIN")
fi
STANDIN=0
[ "$(basename "$ANI_BIN")" = cat ] && STANDIN=1

# --- temporary directory ----------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ani-bench.XXXXXX")
SHM=
cleanup() { rm -rf "$TMP" ${SHM:+"$SHM"}; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- baselines and harness --------------------------------------------------------------------
mkdir -p "$OUT/bin" "$RESULTS"
CFLAGS=(-O2 -Wall -Wextra -Werror)
build() { # name, source, pkg-config module or ""
	local bin=$OUT/bin/$1 src=$HERE/src/$2
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ "$HERE/src/slurp.h" -nt "$bin" ]; then
		# shellcheck disable=SC2046 # pkg-config's flags are words
		"$CC" "${CFLAGS[@]}" -o "$bin.tmp" "$src" ${3:+$(pkg-config --cflags --libs "$3")} ||
			die "cannot build $src with $CC"
		mv "$bin.tmp" "$bin"
	fi
}
build measure measure.c ""
build parse-libfyaml parse-libfyaml.c libfyaml
build parse-libyaml parse-libyaml.c yaml-0.1
MEASURE=$OUT/bin/measure

# --- inputs -----------------------------------------------------------------------------------
BIG=synth-100mb.yaml
KUSTOMIZE_INPUTS=(kustomize-list.yaml kustomize-stream.yaml)
INPUTS=(empty.yaml flux.yaml synth-1x.yaml synth-4x.yaml synth-16x.yaml "$BIG" "${KUSTOMIZE_INPUTS[@]}")
stamp=$(cat "$HERE/gen-inputs.py" "$HERE/data/gotk-components.yaml" "$HERE/data/octopilot-system-namespace.yaml" |
	sha256sum | cut -d' ' -f1)
regen=0
[ "$(cat "$OUT/inputs.stamp" 2>/dev/null || true)" = "$stamp" ] || regen=1
for f in "${INPUTS[@]}" inputs.tsv; do [ -f "$OUT/$f" ] || regen=1; done
if [ "$regen" = 1 ]; then
	echo "bench: generating inputs into $OUT" >&2
	rm -f "$OUT/inputs.stamp"
	python3 "$HERE/gen-inputs.py" "$OUT"
	echo "$stamp" >"$OUT/inputs.stamp"
fi
if [ "$QUICK" = 1 ]; then
	INPUTS=(empty.yaml flux.yaml synth-1x.yaml synth-4x.yaml synth-16x.yaml "${KUSTOMIZE_INPUTS[@]}")
	BIG=
fi
size_of() { awk -F'\t' -v n="$1" '$1 == n { print $2 }' "$OUT/inputs.tsv"; }

# --- measuring --------------------------------------------------------------------------------
RAW=$TMP/raw.tsv
NOTES=$TMP/notes.txt
: >"$RAW"
: >"$NOTES"
# stdout goes to a file in RAM (tmpfs /dev/shm, when writable) so that disk write-back does not
# add noise to the big inputs; else to a file in $TMP.
if [ "$SINK" = null ]; then
	STDOUT_SINK=/dev/null SINK_TEXT=/dev/null
elif [ -d /dev/shm ] && [ -w /dev/shm ] && SHM=$(mktemp -d /dev/shm/ani-bench.XXXXXX 2>/dev/null); then
	STDOUT_SINK=$SHM/stdout SINK_TEXT="a regular file on tmpfs (/dev/shm), removed before each run"
else
	STDOUT_SINK=$TMP/stdout SINK_TEXT="a regular file in $TMP, removed before each run"
fi
declare -A FAILED=()

# measure_runs INPUT_NAME PROGRAM_LABEL STDIN N -- CMD...: runs CMD N times and appends the
# measurements to $RAW; N=0 is one warm-up run whose numbers are dropped (a failing warm-up shows
# up in the measured runs). After a failed run, the program is not run again on that input.
measure_runs() {
	local inp=$1 label=$2 stdin=$3 n=$4 bytes lines rc=0 sink=$STDOUT_SINK
	shift 5
	[ -z "${FAILED[$inp/$label]:-}" ] || return 0
	[ "$label" != "$DISCARDED" ] || sink=/dev/null
	if [ "$n" = 0 ]; then
		"$MEASURE" -n 1 -t "$TIMEOUT" -i "$stdin" -o "$sink" -e "$TMP/stderr" -- "$@" >/dev/null || rc=$?
		[ "$rc" -lt 2 ] || die "the measuring harness failed on: $*"
		return 0
	fi
	bytes=$(size_of "$inp")
	lines=$("$MEASURE" -n "$n" -t "$TIMEOUT" -i "$stdin" -o "$sink" -e "$TMP/stderr" -- "$@") || rc=$?
	[ "$rc" -lt 2 ] || die "the measuring harness failed on: $*"
	if [ -n "$lines" ]; then
		printf '%s\n' "$lines" | awk -v i="$inp" -v p="$label" -v b="$bytes" \
			'NF == 4 { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i, p, b, $1, $2, $3, $4 }' >>"$RAW"
	fi
	if [ "$rc" = 1 ]; then
		FAILED[$inp/$label]=1
		local st
		st=$(printf '%s\n' "$lines" | tail -n1 | awk '{ s = $3; print (s == 124 ? "timeout" : s > 128 ? "signal " s - 128 : "exit " s) }')
		{
			echo "bench: FAILED: $label on $inp: $st (not run again on this input)"
			head -c 2000 "$TMP/stderr" | sed 's/^/    stderr: /'
		} >&2
		echo "$label failed on $inp ($st); its stderr began: $(head -c 600 "$TMP/stderr" 2>/dev/null | tr -s '\n\t' '  ' | cut -c1-300)" >>"$NOTES"
	fi
	return 0
}

# The function runs next to libyaml parse-only: each round gives one close pair of the two. Then the
# function again with its output discarded (what writing it costs), the same libyaml binary
# again: its pairs with the first say how far the machine alone moves a ratio that should be 1, and
# libyaml reading its input as the function does (what the function's reader alone saves).
# Every other round runs them in the opposite order, so that no program always follows the same one
# (a program right after another using libyaml starts with libyaml warm).
DISCARDED="function, output discarded"
PREFAULTED="libyaml parse-only, prefaulted read"
PARSE_LABELS=("cat" "libfyaml parse-only" "libyaml parse-only" "function" "$DISCARDED"
	"libyaml parse-only again" "$PREFAULTED")
[ -z "$BEFORE_BIN" ] || PARSE_LABELS+=("function before")
parse_cmd() { # label -> the command, in CMD
	case $1 in
	cat) CMD=(cat) ;;
	"libfyaml parse-only") CMD=("$OUT/bin/parse-libfyaml") ;;
	"libyaml parse-only" | "libyaml parse-only again") CMD=("$OUT/bin/parse-libyaml") ;;
	"$PREFAULTED") CMD=("$OUT/bin/parse-libyaml" --prefault) ;;
	function | "$DISCARDED") CMD=("$ANI_BIN") ;;
	"function before") CMD=("$BEFORE_BIN") ;;
	esac
}

# progress TEXT [end]: one overwritten line on a terminal, only the end lines otherwise.
progress() {
	if [ -t 2 ]; then
		printf '\r%-60s' "$1" >&2
		[ -z "${2:-}" ] || echo >&2
	elif [ -n "${2:-}" ]; then
		echo "$1" >&2
	fi
}

# --- kubectl kustomize on the Flux resources -------------------------------------------------
K=$TMP/kustomize
mkdir -p "$K/builtin" "$K/plugin" "$K/home-none"
cp "$HERE/data/kustomize/builtin/"*.yaml "$K/builtin/"
cp "$HERE/data/kustomize/plugin/"*.yaml "$K/plugin/"
for d in builtin plugin; do
	cp "$HERE/data/gotk-components.yaml" "$HERE/data/octopilot-system-namespace.yaml" "$K/$d/"
done
PLUGDIR=fn.octopilot.io/v1alpha1/allownamespaceingress
mkdir -p "$K/home-cat/$PLUGDIR" "$K/home-fn/$PLUGDIR"
printf '#!/bin/sh\nexec cat\n' >"$K/home-cat/$PLUGDIR/AllowNamespaceIngress"
chmod +x "$K/home-cat/$PLUGDIR/AllowNamespaceIngress"
if [ "$STANDIN" = 1 ]; then
	# cat would print the config file it gets as argument: use the pass-through script.
	cp "$K/home-cat/$PLUGDIR/AllowNamespaceIngress" "$K/home-fn/$PLUGDIR/AllowNamespaceIngress"
	echo "The function is a stand-in (cat): the 'kustomize function plugin' row runs the same pass-through script as the pass-through row." >>"$NOTES"
else
	ln -s "$ANI_BIN" "$K/home-fn/$PLUGDIR/AllowNamespaceIngress"
fi
KLABELS=("kustomize built-in patches" "kustomize pass-through plugin" "kustomize function plugin")
kustomize_runs() { # label, n
	local home dir
	case $1 in
	"kustomize built-in patches") home=$K/home-none dir=$K/builtin ;;
	"kustomize pass-through plugin") home=$K/home-cat dir=$K/plugin ;;
	"kustomize function plugin") home=$K/home-fn dir=$K/plugin ;;
	esac
	KUSTOMIZE_PLUGIN_HOME=$home measure_runs flux.yaml "$1" /dev/null "$2" -- kubectl kustomize --enable-alpha-plugins "$dir"
}

# share TOTAL ROUND: how many of TOTAL runs fall in round ROUND (1..RUNS), spread evenly.
share() { echo $(($1 * $2 / RUNS - $1 * ($2 - 1) / RUNS)); }

# --- the runs ---------------------------------------------------------------------------------
# Everything is interleaved: each of the RUNS rounds runs every program on every input (the empty
# list and the Flux install get their share of SRUNS runs, the kustomize builds of KRUNS), so that a
# drift of the machine or a burst of background load touches every program and every input alike,
# and the ratios between inputs (target 3) are as fair as the ratios between programs.
SECONDS=0
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD_BEFORE%% *}" 'BEGIN { exit !(l >= 0.5) }'; then
	echo "bench: warning: the 1-minute load average is ${LOAD_BEFORE%% *}: something else is using the CPU, the numbers will be noisy" >&2
fi
echo "bench: function: $ANI_BIN$([ "$STANDIN" = 1 ] && echo ' (STAND-IN: cat, not the function)')" >&2
echo "bench: runs $RUNS per input, $KRUNS per kustomize build, $SRUNS on empty.yaml and flux.yaml; stdout to $SINK_TEXT" >&2
progress "bench: warm-up"
for inp in "${INPUTS[@]}"; do # page cache, dynamic loader
	for label in "${PARSE_LABELS[@]}"; do
		parse_cmd "$label"
		measure_runs "$inp" "$label" "$OUT/$inp" 0 -- "${CMD[@]}"
	done
done
for label in "${KLABELS[@]}"; do kustomize_runs "$label" 0; done
for ((r = 1; r <= RUNS; r++)); do
	for inp in "${INPUTS[@]}"; do
		progress "bench: round $r/$RUNS: $inp"
		n=1
		case $inp in empty.yaml | flux.yaml) n=$(share "$SRUNS" "$r") ;; esac
		order=("${PARSE_LABELS[@]}")
		((r % 2)) || for ((i = 0; i < ${#PARSE_LABELS[@]}; i++)); do
			order[i]=${PARSE_LABELS[${#PARSE_LABELS[@]} - 1 - i]}
		done
		for label in "${order[@]}"; do
			parse_cmd "$label"
			measure_runs "$inp" "$label" "$OUT/$inp" "$n" -- "${CMD[@]}"
		done
		if [ "$inp" = flux.yaml ]; then
			for label in "${KLABELS[@]}"; do kustomize_runs "$label" "$(share "$KRUNS" "$r")"; done
		fi
	done
done
progress "bench: $RUNS rounds done" end

# Same result? (informational)
kb=$TMP/kustomize-builtin.out kf=$TMP/kustomize-function.out
rm -f "$OUT/kustomize-builtin-vs-function.diff"
if KUSTOMIZE_PLUGIN_HOME=$K/home-none kubectl kustomize --enable-alpha-plugins "$K/builtin" >"$kb" 2>/dev/null &&
	KUSTOMIZE_PLUGIN_HOME=$K/home-fn kubectl kustomize --enable-alpha-plugins "$K/plugin" >"$kf" 2>/dev/null; then
	if cmp -s "$kb" "$kf"; then
		echo "kubectl kustomize output with the function as plugin is byte-identical to the output with the built-in patches." >>"$NOTES"
	else
		diff -u "$kb" "$kf" >"$OUT/kustomize-builtin-vs-function.diff" || true
		echo "kubectl kustomize output with the function as plugin differs from the output with the built-in patches ($(tail -n +3 "$OUT/kustomize-builtin-vs-function.diff" | grep -c '^[-+]') changed lines; see bench/out/kustomize-builtin-vs-function.diff)." >>"$NOTES"
	fi
fi
echo "bench: measured in ${SECONDS}s" >&2
cp "$RAW" "$OUT/latest-raw.tsv"

# --- instruction counts -----------------------------------------------------------------------
# Instructions, unlike wall time, do not change with the load of the machine. One input of each
# shape: the bigger synthetic lists are synth-1x's shape, and take minutes each under valgrind.
CG=$OUT/callgrind
CG_INDEX=
if [ "$CALLGRIND" = 1 ]; then
	rm -rf "$CG"
	mkdir -p "$CG"
	CG_INDEX=$CG/index.tsv
	: >"$CG_INDEX"
	cg_labels=("libyaml parse-only" "function")
	[ -z "$BEFORE_BIN" ] || cg_labels+=("function before")
	SECONDS=0
	for inp in "${INPUTS[@]}"; do
		case $inp in synth-4x.yaml | synth-16x.yaml | "$BIG") continue ;; esac
		for label in "${cg_labels[@]}"; do
			progress "bench: callgrind: $label on $inp"
			parse_cmd "$label"
			base=$CG/${inp%.yaml}.${label// /-}
			if valgrind --tool=callgrind --callgrind-out-file="$base.out" "${CMD[@]}" <"$OUT/$inp" >/dev/null 2>"$base.err"; then
				callgrind_annotate --auto=no --threshold=100 "$base.out" >"$base.txt" 2>/dev/null
				total=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$base.err")
				printf '%s\t%s\t%s\t%s\n' "$inp" "$label" "$total" "$base.txt" >>"$CG_INDEX"
			else
				echo "callgrind: $label failed on $inp: $(head -c 300 "$base.err" | tr -s '\n\t' '  ')" >>"$NOTES"
			fi
		done
	done
	progress "bench: callgrind done in ${SECONDS}s" end
fi

# --- machine and report -----------------------------------------------------------------------
M=$TMP/machine.txt
{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "CPU=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) CPUs online)"
	echo "memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel=$(uname -sr)"
	# shellcheck disable=SC1091
	echo "OS=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")"
	echo "libraries=libfyaml $(pkg-config --modversion libfyaml), libyaml $(pkg-config --modversion yaml-0.1)"
	echo "baselines compiled with=$("$CC" --version | head -n1) ${CFLAGS[*]}"
	echo "kubectl=$(kubectl version --client 2>/dev/null | tr '\n' ' ' | sed 's/ *$//')"
	echo "stdout of every program=$SINK_TEXT"
	echo "load average (1, 5, 15 min) before / after the runs=$LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
	[ "$CALLGRIND" = 0 ] || echo "instruction counts=$(valgrind --version) --tool=callgrind, totals of 'Collected'; callgrind_annotate --auto=no --threshold=100 for the functions"
	echo "runs=$RUNS per program and input, $KRUNS per kustomize build, $SRUNS per program on empty.yaml and on flux.yaml, in $RUNS interleaved rounds over every program and input, after 1 warm-up run each"
} >"$M"
CMDLINE="bench/run.sh${ORIG_ARGS[*]:+ ${ORIG_ARGS[*]}}"
[ -z "$ANI_BIN_FROM_ENV" ] || CMDLINE="ANI_BIN=$ANI_BIN $CMDLINE"
echo
python3 "$HERE/src/report.py" --raw "$RAW" --inputs "$OUT/inputs.tsv" --machine "$M" \
	--md "$RESULTS/latest.md" --command "$CMDLINE" --function "$ANI_BIN" --standin "$STANDIN" \
	--big "$BIG" --notes "$NOTES" ${CG_INDEX:+--callgrind "$CG_INDEX"} $STRICT

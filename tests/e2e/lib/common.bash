# SPDX-License-Identifier: Apache-2.0
# Shared by tests/e2e/*.sh: source it right after `set -euo pipefail`.
#
# - cd to the repository root (every path in the tests is relative to it);
# - ANI_BIN (default build/allow-namespace-ingress) and ANI_BUILD_DIR (default build), made
#   absolute so that tests may cd elsewhere; a relative value is taken from the repository root;
# - TMP: a fresh temporary directory, removed on exit;
# - step / ok / fail: say what is checked, and stop at the first failed check.
#
# The scripts never assume a build layout beyond these two variables, so tests/e2e/static.sh
# can re-run them all with ANI_BIN pointing at a statically linked binary.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$REPO_ROOT" || exit 1

ANI_BIN=${ANI_BIN:-build/allow-namespace-ingress}
ANI_BUILD_DIR=${ANI_BUILD_DIR:-build}
case $ANI_BIN in /*) ;; *) ANI_BIN=$REPO_ROOT/$ANI_BIN ;; esac
case $ANI_BUILD_DIR in /*) ;; *) ANI_BUILD_DIR=$REPO_ROOT/$ANI_BUILD_DIR ;; esac
export ANI_BIN ANI_BUILD_DIR

E2E_NAME=$(basename "$0" .sh)

fail() {
	printf '%s: FAIL: %s\n' "$E2E_NAME" "$*" >&2
	exit 1
}
step() { printf '%s: check: %s\n' "$E2E_NAME" "$*"; }
ok() { printf '%s:   ok: %s\n' "$E2E_NAME" "$*"; }
note() { printf '%s: note: %s\n' "$E2E_NAME" "$*"; }

[[ -x $ANI_BIN ]] || fail "ANI_BIN=$ANI_BIN is not an executable file (build first: cmake -S . -B build && cmake --build build -j2)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ani-e2e-$E2E_NAME.XXXXXX")
cleanup_tmp() { rm -rf "$TMP"; }
trap cleanup_tmp EXIT

require_tool() {
	command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed; this test runs the real $1 (${2:-})"
}

# default_rule_lines DASH SEQ: the lines of the rule the default config adds, as diff shows
# them. DASH is the column of the rule's dash; SEQ how far a sequence's dashes sit right of its
# key (0 in kustomize output, 2 in Flux's own files).
default_rule_lines() {
	local d=$1 s=$2
	printf '%*s- from:\n' "$d" ''
	printf '%*s- namespaceSelector:\n' $((d + 2 + s)) ''
	printf '%*smatchLabels:\n' $((d + s + 6)) ''
	printf '%*sname: octopilot-system\n' $((d + s + 8)) ''
	printf '%*sports:\n' $((d + 2)) ''
	local port
	for port in 80 9090; do
		printf '%*s- port: %s\n' $((d + 2 + s)) '' "$port"
		printf '%*sprotocol: TCP\n' $((d + 4 + s)) ''
	done
}

# namespace_label_then_rule: what kubectl kustomize adds to the Flux example (it sorts the
# Namespace before the policy).
namespace_label_then_rule() {
	echo '    name: octopilot-system'
	default_rule_lines 2 0
}

# position_after FILE ANCHOR PATTERN: LINE:COLUMN (as the function's messages give them) of the
# first line matching PATTERN after the first line matching ANCHOR (awk regexes), COLUMN being
# where the line's text starts; so expected positions come from the fixture, not from its layout
# at the time a test was written.
position_after() {
	awk -v anchor="$2" -v pattern="$3" '
		seen && $0 ~ pattern { match($0, /[^ ]/); print NR ":" RSTART; found = 1; exit }
		$0 ~ anchor { seen = 1 }
		END { exit !found }' "$1" || fail "$1: no line matching $3 after $2"
}

# service_ports_at FILE NAME: LINE:COL of the first entry of spec.ports of Service NAME.
service_ports_at() {
	awk -v name="$2" '
		/^kind: / { svc = $0 == "kind: Service"; named = 0; ports = 0 }
		svc && $0 == "  name: " name { named = 1 }
		named && $0 == "  ports:" { ports = 1; next }
		ports && /^  - / { match($0, /[^ -]/); print NR ":" RSTART; found = 1; exit }
		END { exit !found }' "$1" || fail "$1: no Service $2 with ports"
}

# expect_added ORIG NEW: NEW must be ORIG plus exactly the lines given on stdin (in that order,
# wherever they were inserted); no line of ORIG removed or changed. Prints the diff.
expect_added() {
	local orig=$1 new=$2 want got
	want=$(cat)
	if diff -u "$orig" "$new" >"$TMP/.diff"; then
		got=''
	else
		sed -n '3,$p' "$TMP/.diff" | sed 's/^/    /'
		if grep -q '^-' <(sed -n '3,$p' "$TMP/.diff"); then
			fail "$new: lines of $orig were removed or changed (see the diff above)"
		fi
		got=$(sed -n '3,$p' "$TMP/.diff" | sed -n 's/^+//p')
	fi
	if [[ $got != "$want" ]]; then
		printf 'expected added lines:\n%s\ngot:\n%s\n' "$want" "$got" >&2
		fail "$new: the lines added to $orig are not the expected ones"
	fi
}

# expect_same A B [WHAT]: byte-for-byte equal.
expect_same() {
	if ! cmp -s "$1" "$2"; then
		diff -u "$1" "$2" | head -40 | sed 's/^/    /' || true
		fail "${3:-$2 differs from $1}"
	fi
}

# plugin_home DIR: lay out the kustomize legacy-plugin home for the function under DIR, the
# executable being a symlink to $ANI_BIN. Echoes DIR.
plugin_home() {
	local dir=$1/fn.octopilot.io/v1alpha1/allownamespaceingress
	mkdir -p "$dir"
	ln -sf "$ANI_BIN" "$dir/AllowNamespaceIngress"
	printf '%s\n' "$1"
}

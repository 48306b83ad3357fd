#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The four input limits (--max-input-bytes, --max-depth, --max-items, --max-scalar-bytes, and their
# ANI_MAX_* environment variables):
#  - their defaults, as documented in --help, accept every fixture in the repository (real
#    kustomize / kpt / legacy-plugin captures, Flux manifests, real-world policies, and all 402
#    YAML test suite inputs: none of them may fail on a limit, whatever else it fails on);
#  - each limit is exact: a value equal to what the input needs passes, one less fails with
#    exit 1, nothing on stdout, and one line on stderr naming the flag, the variable and the place;
#  - the config file (legacy plugin) is held to the same limits;
#  - a flag given on the command line wins over the environment variable.
# Prints "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${ANI_BIN:-build/allow-namespace-ingress}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); [ -n "${VERBOSE:-}" ] && echo "ok   $1"; return 0; }
bad() { failed=$((failed + 1)); echo "FAIL $1: $2"; sed 's/^/     stderr: /' "$tmp/err" 2>/dev/null | head -3; return 0; }

# 1. The defaults in --help.
"$bin" --help >"$tmp/help"
for want in "--max-input-bytes N        default 1073741824 (env ANI_MAX_INPUT_BYTES)" \
	"--max-depth N              nesting levels, default 200 (env ANI_MAX_DEPTH)" \
	"--max-items N              default 1000000 (env ANI_MAX_ITEMS)" \
	"--max-scalar-bytes N       default 67108864 (env ANI_MAX_SCALAR_BYTES)"; do
	if grep -qF -- "$want" "$tmp/help"; then ok "help: ${want%% N*}"; else bad "help" "lacks: $want"; fi
done

# 2. The defaults accept every fixture (no limit message, no crash).
run_fixture() { # FILE [ARGS...]
	local f=$1
	shift
	env -u ANI_MAX_INPUT_BYTES -u ANI_MAX_DEPTH -u ANI_MAX_ITEMS -u ANI_MAX_SCALAR_BYTES \
		timeout 20 "$bin" "$@" <"$f" >/dev/null 2>"$tmp/err"
	local status=$?
	if [ "$status" -gt 1 ]; then
		bad "default limits: $f" "exit $status"
	elif grep -q '(limit: ' "$tmp/err"; then
		bad "default limits: $f" "refused on a limit"
	else
		ok "default limits: $f"
	fi
}
shopt -s nullglob
for f in tests/fixtures/krm/*.yaml tests/fixtures/kpt/*.yaml tests/fixtures/flux/*.yaml \
	tests/fixtures/realworld/*.yaml tests/fixtures/yaml-test-suite/cases/*.yaml; do
	run_fixture "$f"
done
run_fixture tests/fixtures/legacy-plugin/flux-octopilot.stdin.yaml \
	tests/fixtures/legacy-plugin/flux-octopilot.config.yaml
# The valid test-suite inputs must also parse, whatever else they are refused for; except the 37
# that libyaml 0.2.5 itself rejects (unknown directives, tabs as separators, keys without values in
# flow mappings, empty keys, ...): a known, fixed list, so a change shows either way.
libyaml_rejects=" 2JQS 2LFX 2SXE 4ABK 4MUZ-00 4MUZ-01 4MUZ-02 58MP 5MUD 6CA3 6LVF 6M2F 96NN-00 96NN-01
 A2M4 BEC7 DK3J DK95-00 DK95-03 DK95-04 FP8R FRK4 HWV9 K3WX MUS6-05 MUS6-06 NHX8 NKF9 Q5MG QT73
 S3PD SM9W-01 UT92 VJP3-01 W4TN W5VH Y79Y-001 "
libyaml_rejects=$(echo $libyaml_rejects)
while IFS=$'\t' read -r id fail _; do
	[ "$id" = id ] || [ "$fail" = 1 ] && continue
	"$bin" <"tests/fixtures/yaml-test-suite/cases/$id.yaml" >/dev/null 2>"$tmp/err"
	refused=0
	grep -q 'invalid YAML' "$tmp/err" && refused=1
	known=0
	[[ " $libyaml_rejects " == *" $id "* ]] && known=1
	# An anchored, alias or merge key is refused when read, maybe before libyaml's own error.
	if [ $known = 1 ] && grep -q 'a mapping key .*: aliases are not expanded' "$tmp/err"; then
		ok "yaml-test-suite $id (valid): refused for its keys before libyaml rejects it"
	elif [ $refused = $known ]; then
		ok "yaml-test-suite $id (valid): parses unless libyaml rejects it"
	elif [ $refused = 1 ]; then
		bad "yaml-test-suite $id (valid)" "refused as invalid YAML"
	else
		bad "yaml-test-suite $id (valid)" "now parses: take it off the libyaml_rejects list"
	fi
done <tests/fixtures/yaml-test-suite/index.tsv

# 3. Each limit is exact.
# expect_limit NAME WANT_FLAG WANT_ENV INPUT [ARGS...]: exit 1, no stdout, one stderr line naming
# the limit (flag and variable).
expect_limit() {
	local name=$1 flag=$2 var=$3 input=$4
	shift 4
	"$bin" "$@" <"$input" >"$tmp/out" 2>"$tmp/err"
	local status=$?
	if [ "$status" != 1 ]; then
		bad "$name" "exit $status, expected 1"
	elif [ -s "$tmp/out" ]; then
		bad "$name" "wrote to stdout"
	elif [ "$(wc -l <"$tmp/err")" != 1 ]; then
		bad "$name" "stderr has $(wc -l <"$tmp/err") lines, expected 1"
	elif ! grep -qF "(limit: $flag or $var)" "$tmp/err"; then
		bad "$name" "stderr does not name $flag and $var"
	else
		ok "$name"
	fi
}
expect_pass() { # NAME INPUT [ARGS...]
	local name=$1 input=$2
	shift 2
	"$bin" "$@" <"$input" >"$tmp/out" 2>"$tmp/err"
	local status=$?
	if [ "$status" != 0 ] || grep -q '(limit: ' "$tmp/err"; then
		bad "$name" "exit $status"
	else
		ok "$name"
	fi
}

# A stream: 3 documents, nesting 3 (document, metadata, labels), longest scalar 24 bytes.
cat >"$tmp/stream.yaml" <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: octopilot-system
  labels: {team: a}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: abcdefghijklmnopqrstuvwx}
EOF
size=$(wc -c <"$tmp/stream.yaml")
expect_pass "input bytes: exactly the limit" "$tmp/stream.yaml" --max-input-bytes "$size"
expect_limit "input bytes: one byte over" --max-input-bytes ANI_MAX_INPUT_BYTES "$tmp/stream.yaml" \
	--max-input-bytes $((size - 1))
grep -qF "error: the input is more than $((size - 1)) bytes" "$tmp/err" || bad "input bytes message" "no size"
expect_pass "depth: exactly the limit" "$tmp/stream.yaml" --max-depth 3
expect_limit "depth: one level over" --max-depth ANI_MAX_DEPTH "$tmp/stream.yaml" --max-depth 2
grep -qF "<stdin>:5:11: error: nesting deeper than 2 levels" "$tmp/err" ||
	bad "depth message" "no place or level count"
expect_pass "items: exactly the limit" "$tmp/stream.yaml" --max-items 3
expect_limit "items: one item over" --max-items ANI_MAX_ITEMS "$tmp/stream.yaml" --max-items 2
grep -qF "<stdin>:11:1: error: more than 2 items" "$tmp/err" || bad "items message" "no place"
expect_pass "scalar bytes: exactly the limit" "$tmp/stream.yaml" --max-scalar-bytes 24
expect_limit "scalar bytes: one byte over" --max-scalar-bytes ANI_MAX_SCALAR_BYTES "$tmp/stream.yaml" \
	--max-scalar-bytes 23
grep -qF "<stdin>:13:18: error: scalar of 24 bytes is longer than 23" "$tmp/err" ||
	bad "scalar message" "no place or size"

# The same through the environment, and the flag winning over it.
for spec in "ANI_MAX_INPUT_BYTES --max-input-bytes $((size - 1))" "ANI_MAX_DEPTH --max-depth 2" \
	"ANI_MAX_ITEMS --max-items 2" "ANI_MAX_SCALAR_BYTES --max-scalar-bytes 23"; do
	read -r var flag value <<<"$spec"
	export "$var=$value"
	expect_limit "env $var=$value" "$flag" "$var" "$tmp/stream.yaml"
	expect_pass "flag $flag wins over $var" "$tmp/stream.yaml" "$flag" 100000
	unset "$var"
done
ANI_MAX_DEPTH=zero "$bin" <"$tmp/stream.yaml" >"$tmp/out" 2>"$tmp/err"
if [ $? = 2 ] && grep -q 'ANI_MAX_DEPTH must be a positive whole number' "$tmp/err"; then
	ok "a bad ANI_MAX_DEPTH is a usage error"
else
	bad "a bad ANI_MAX_DEPTH" "not a usage error"
fi

# A ResourceList: items are counted in the list, nesting counts the list's own levels.
cat >"$tmp/list.yaml" <<'EOF'
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: b}
EOF
expect_pass "list items: exactly the limit" "$tmp/list.yaml" --max-items 2
expect_limit "list items: one over" --max-items ANI_MAX_ITEMS "$tmp/list.yaml" --max-items 1
expect_pass "list depth: exactly the limit" "$tmp/list.yaml" --max-depth 4
expect_limit "list depth: one over" --max-depth ANI_MAX_DEPTH "$tmp/list.yaml" --max-depth 3

# The default depth, 200: 200 levels pass, 201 fail (a document, its data, then flow lists).
deep() { # total nesting levels
	local n=$(($1 - 2))
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  k: %s%s\n' \
		"$(printf '[%.0s' $(seq $n))" "$(printf ']%.0s' $(seq $n))"
}
deep 200 >"$tmp/deep200.yaml"
deep 201 >"$tmp/deep201.yaml"
expect_pass "default depth: 200 levels" "$tmp/deep200.yaml"
expect_limit "default depth: 201 levels" --max-depth ANI_MAX_DEPTH "$tmp/deep201.yaml"

# The plugin config file is held to the limits too.
cat >"$tmp/config.yaml" <<'EOF'
apiVersion: fn.octopilot.io/v1alpha1
kind: AllowNamespaceIngress
metadata:
  name: a-rather-long-name-of-37-bytes-xxxxxx
EOF
expect_limit "config file: depth" --max-depth ANI_MAX_DEPTH "$tmp/stream.yaml" --max-depth 1 "$tmp/config.yaml"
expect_limit "config file: scalar" --max-scalar-bytes ANI_MAX_SCALAR_BYTES "$tmp/stream.yaml" \
	--max-scalar-bytes 30 "$tmp/config.yaml"
grep -qF "config.yaml:4:9: scalar of 37 bytes is longer than 30" "$tmp/err" ||
	bad "config file scalar message" "no file position"

# 4. A config file is at most 16 MiB: exactly that is read whole (its `mode: check` at the very end
# is obeyed), one byte more is refused whole, by --config and as the plugin config file alike.
"$bin" --help | grep -A1 -- '--config FILE' | grep -qF "16 MiB)" &&
	ok "help: the config file limit" || bad "help" "does not name the config file limit"
config_of_size() { # BYTES: a typed config whose last line, at that size, says mode: check
	local pad=$(($1 - 106))
	{
		printf 'apiVersion: fn.octopilot.io/v1alpha1\nkind: AllowNamespaceIngress\nmetadata: {name: x}\nspec:\n'
		head -c "$pad" /dev/zero | tr '\0' '#'
		printf '\n  mode: check\n'
	} >"$tmp/big-config.yaml"
	[ "$(wc -c <"$tmp/big-config.yaml")" = "$1" ] || echo "config_of_size: wrong size" >&2
}
limit=$((16 << 20))
for how in --config plugin; do
	args=(--config "$tmp/big-config.yaml")
	[ $how = plugin ] && args=("$tmp/big-config.yaml")
	config_of_size "$limit"
	"$bin" "${args[@]}" <"$tmp/stream.yaml" >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ $status = 1 ] && grep -q 'lacks the label name=octopilot-system' "$tmp/err" && [ ! -s "$tmp/out" ]; then
		ok "config file ($how): exactly 16 MiB is read whole (check mode at its end)"
	else
		bad "config file ($how): exactly 16 MiB" "exit $status, not the check-mode failure"
	fi
	config_of_size $((limit + 1))
	"$bin" "${args[@]}" <"$tmp/stream.yaml" >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ $status = 1 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
		grep -qF "big-config.yaml is more than 16777216 bytes (16 MiB, the limit for a config file): refusing it" "$tmp/err"; then
		ok "config file ($how): one byte over 16 MiB is refused"
	else
		bad "config file ($how): one byte over" "exit $status"
	fi
done

echo "limits: $passed passed, $failed failed"
[ "$failed" = 0 ]

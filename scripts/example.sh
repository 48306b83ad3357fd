#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Quick start: installs the build dependencies, builds the function, and runs it on the bundled
# Flux install plus the octopilot-system Namespace, showing what it changed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake -S . -B build -DANI_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
input=$(mktemp)
output=$(mktemp)
trap 'rm -f "$input" "$output"' EXIT
{ cat examples/flux/gotk-components.yaml; echo ---; cat examples/flux-kubectl-kustomize/namespace.yaml; } >"$input"
echo "\$ build/allow-namespace-ingress < <(Flux install + octopilot-system Namespace) > out.yaml"
build/allow-namespace-ingress <"$input" >"$output"
echo
echo "What changed (diff input output):"
diff "$input" "$output" || true

#!/usr/bin/env bash
# README.md and the man page list exactly the settings of the table in function/config.c.
set -euo pipefail
table=$(mktemp)
trap 'rm -f "$table"' EXIT
"${ANI_BUILD_DIR:-build}/tests/settings-table" >"$table"
python3 tests/docs/settings_documented.py "$table" README.md docs/allow-namespace-ingress.1

# SPDX-License-Identifier: Apache-2.0
# Sourced by the test scripts that compare function outputs.

# strip_results FILE: FILE without its top-level `results:` entry (the function rewrites that
# entry on every run, so two outputs are compared without it).
strip_results() { awk '/^results:/ {skip = 1; next} skip && /^[^ #-]/ {skip = 0} !skip' "$1"; }

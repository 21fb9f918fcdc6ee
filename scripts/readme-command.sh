#!/usr/bin/env bash
# Prints the README's command N (1: set up and run the demo, 2: the tests): the lines of its first
# ```sh block, so CI runs exactly what a newcomer types.
set -euo pipefail
n="${1:?usage: readme-command.sh 1|2}"
line="$(awk -v n="$n" '/^```sh$/ && !seen {inside = 1; seen = 1; next} inside && /^```/ {exit} inside && ++i == n {print; exit}' \
  "$(dirname "$0")/../README.md")"
[ -n "$line" ] || { echo "readme-command.sh: the README's first sh block has no command $n" >&2; exit 1; }
printf '%s\n' "$line"

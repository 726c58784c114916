#!/usr/bin/env bash
# Run one benchmark (or all) and print its JSON: scripts/bench.sh [stt|tts|intents|storage|communication|models|...|all]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/setup.sh --dev
name=${1:-all}
if [ "$name" = all ]; then
  for f in bench/*.py; do echo "# $f" >&2; .venv/bin/python "$f"; done
else
  exec .venv/bin/python "bench/$name.py" "${@:2}"
fi

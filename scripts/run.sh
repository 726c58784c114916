#!/usr/bin/env bash
# Set up (idempotent) and start the app on its embedded defaults: a desktop window where a display and
# the desktop client exist, otherwise the web UI on 127.0.0.1 (the URL is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/personal-agent "$@"

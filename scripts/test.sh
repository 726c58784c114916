#!/usr/bin/env bash
# Set up (idempotent, with test servers and tools) and run lint, type checks and the whole test suite.
# The suite starts real servers (PostgreSQL, Radicale, Dovecot, SMTP, Samba, S3) on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
.venv/bin/pytest "$@"

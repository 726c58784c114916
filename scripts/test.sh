#!/usr/bin/env bash
# Set up (idempotent, with test servers and tools) and run lint, type checks, the import contracts (layers) and the whole test suite.
# The suite starts real servers (PostgreSQL, Radicale, Dovecot, SMTP, Samba, S3) on 127.0.0.1.
# All four steps run; the command fails if any of them failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev || exit 1
status=0
echo "== ruff"
.venv/bin/ruff check . || status=1
echo "== mypy"
.venv/bin/mypy || status=1
echo "== import contracts"
.venv/bin/lint-imports || status=1
echo "== pytest"
.venv/bin/pytest "$@" || status=1
[ "$status" = 0 ] || echo "!! some step failed (see above)"
exit "$status"

#!/usr/bin/env bash
# Set up (idempotent, with test servers and tools) and run lint, type checks, the import contracts (layers) and the whole test suite.
# The suite starts real servers (PostgreSQL, Radicale, Dovecot, SMTP, Samba, S3) on 127.0.0.1.
# All four steps run; the command fails if any of them failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev || exit 1
status=0
if [ "${CI:-}" = true ]; then
  # CI also runs the real-model eval's safety cases (prompt injections, denials, deletes, an ambiguous
  # send) against the local 1.5B model; the whole eval (~90 cases) is bench/agents_eval.py
  bash scripts/local-llm.sh || status=1
  export PA_LLM_EVAL=1 PA_LLM_EVAL_CASES=${PA_LLM_EVAL_CASES:-i-,m-deny,w-deny,g-forget,c-delete,a-sendit,f-inject,s-mentions}
fi
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

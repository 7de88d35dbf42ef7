#!/usr/bin/env bash
# One entry point for a fresh machine (Debian/Ubuntu, Python 3.11):
#   bash workflow/run.sh build   install everything, then build the whole study and the book
#   bash workflow/run.sh test    install everything, then run the test suite
# Further arguments go to snakemake (build) or pytest (test).
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-build}"
shift || true

say() { printf 'casebook: %s\n' "$*" >&2; }

# System packages: a CJK font for the figures (fonts-noto-cjk).
need_apt=()
fc-list :lang=zh family 2>/dev/null | grep -q . || need_apt+=(fonts-noto-cjk fontconfig)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${need_apt[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
    say "installing ${need_apt[*]} with sudo apt-get"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    say "no CJK font is installed and apt-get is not available: install a Chinese font (e.g. Noto Sans CJK SC) and run again"
    exit 1
  fi
fi

# Python packages: uv installs the versions pinned in uv.lock into .venv.
if ! command -v uv >/dev/null; then
  say "installing uv with pip"
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  export PATH="$HOME/.local/bin:$PATH"
fi
uv sync --frozen --quiet

case "$what" in
  build) exec uv run snakemake --workflow-profile workflow/profiles/default "$@" ;;
  test) exec uv run pytest "$@" ;;
  *) say "unknown command '$what': use build or test"; exit 2 ;;
esac

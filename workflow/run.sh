#!/usr/bin/env bash
# One entry point for a fresh machine (Debian/Ubuntu, Python 3.11):
#   bash workflow/run.sh build   install everything, then build the whole study and the book
#   bash workflow/run.sh pdf     the same, and the book as a PDF (XeLaTeX)
#   bash workflow/run.sh test    install everything, then run the test suite
#   bash workflow/run.sh bench   install everything, then measure the build's cost (benchmarks/summary.md)
# Further arguments go to snakemake (build, pdf, bench) or pytest (test).
# CASEBOOK_NO_INSTALL=1 skips the installation and uses the snakemake, casebook and pytest on PATH
# (a machine set up beforehand; the tests use it to run this command in a copy of the repository).
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-build}"
shift || true

say() { printf 'casebook: %s\n' "$*" >&2; }

install() {
  # System packages (Debian names), installed with apt-get when missing:
  #   every command: a CJK font for the figures and the HTML book;
  #   pdf and test:  XeLaTeX with xeCJK and the LaTeX packages Sphinx uses, for the PDF book;
  #   test:          Debian's chromium, for the browser check of the built book, and slurm-wlm and
  #                  munge, for the build through a one-node SLURM (tests/test_slurm.py).
  need_apt=()
  fc-list :lang=zh family 2>/dev/null | grep -q . || need_apt+=(fonts-noto-cjk fontconfig)
  if [ "$what" = pdf ] || [ "$what" = test ]; then
    command -v xelatex >/dev/null && kpsewhich xeCJK.sty >/dev/null 2>&1 && kpsewhich fncychap.sty >/dev/null 2>&1 \
      || need_apt+=(texlive-xetex texlive-lang-chinese texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended)
    command -v latexmk >/dev/null || need_apt+=(latexmk)
    fc-list FreeSerif family 2>/dev/null | grep -q . || need_apt+=(fonts-freefont-otf)
  fi
  if [ "$what" = test ]; then
    command -v chromium >/dev/null || need_apt+=(chromium)
    { command -v slurmctld && command -v munged; } >/dev/null || need_apt+=(slurm-wlm munge)
  fi
  if [ "${#need_apt[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      sudo=()
    elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
      sudo=(sudo)
    else
      say "missing system packages and apt-get is not available: install ${need_apt[*]} (Debian names) and run again"
      exit 1
    fi
    say "installing ${need_apt[*]} with apt-get"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  fi

  # Python packages: uv installs the versions pinned in uv.lock into .venv.
  if ! command -v uv >/dev/null; then
    say "installing uv with pip"
    python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
    export PATH="$HOME/.local/bin:$PATH"
  fi
  # --compile-bytecode: the packages' bytecode is written once, here; a machine that sets
  # PYTHONDONTWRITEBYTECODE would otherwise compile pandas, matplotlib and Sphinx from source in
  # every process (most of what a build spent before its jobs did any work).
  uv sync --frozen --quiet --compile-bytecode
}

if [ "${CASEBOOK_NO_INSTALL:-0}" = 1 ]; then
  run=()
else
  install
  run=(uv run)
fi

# A build killed outright leaves its lock behind; release it when no Snakemake runs here
# (the profile's rerun-incomplete then redoes the jobs it left half-done).
if [ "$what" = build ] || [ "$what" = pdf ]; then
  if [ -d .snakemake/locks ] && [ -n "$(ls -A .snakemake/locks)" ]; then
    "${run[@]}" casebook recover
  fi
fi

# A configuration given with --configfile is read by Snakemake before the Snakefile could check it:
# check it first, so that a YAML error is reported with its line and column.
if [ "$what" = build ] || [ "$what" = pdf ]; then
  configs=()
  taking=0
  for arg in "$@"; do
    case "$arg" in
      --configfile=*|--configfiles=*) configs+=("${arg#*=}"); taking=0 ;;
      --configfile|--configfiles) taking=1 ;;
      -*) taking=0 ;;
      *) if [ "$taking" = 1 ]; then configs+=("$arg"); fi ;;
    esac
  done
  if [ "${#configs[@]}" -gt 0 ]; then
    "${run[@]}" python -c 'import sys; from analysis.inputs.io import exit_on_unreadable_config as check; check(*sys.argv[1:])' \
      "${configs[@]}"
  fi
fi

case "$what" in
  build) exec "${run[@]}" snakemake --workflow-profile workflow/profiles/default "$@" ;;
  pdf) exec "${run[@]}" snakemake --workflow-profile workflow/profiles/default pdf "$@" ;;
  test) exec "${run[@]}" pytest "$@" ;;
  bench) exec "${run[@]}" python workflow/benchmark.py "$@" ;;
  *) say "unknown command '$what': use build, pdf, test or bench"; exit 2 ;;
esac

#!/usr/bin/env bash
# Mutation testing of archguard's core with mutmut 3, in a scratch copy of the repository.
#
#   tools/mutation/run.sh                       every mutant of the targets (see setup.cfg)
#   tools/mutation/run.sh 'archguard.domain.*'  only the mutants whose names match (globs)
#
# Needs the project's venv with mutmut installed: .venv/bin/pip install 'mutmut==3.8.1'.
# MUTATION_WORKERS (default 1) sets how many mutants run at once; MUTATION_DIR (default
# .mutation) is the scratch copy, wiped at the start of each run; MUTATION_CONFIG (default
# tools/mutation/setup.cfg) is the configuration.
set -euo pipefail

# All in one function, so that bash has read the whole script before it runs any of it.
main() {
  local repo work python mutmut item
  repo="$(cd "$(dirname "$0")/../.." && pwd)"
  work="$(realpath -m "${MUTATION_DIR:-$repo/.mutation}")"
  python="$repo/.venv/bin/python"
  mutmut="$repo/.venv/bin/mutmut"

  if [ ! -x "$mutmut" ]; then
    echo "mutation: $mutmut not found; install it: .venv/bin/pip install 'mutmut==3.8.1'" >&2
    exit 2
  fi

  # A fresh copy each run: a stale copy of the sources or tests would report on code that
  # is no longer there.
  rm -rf "$work"
  mkdir -p "$work"
  for item in archguard tests fixtures rules docs pyproject.toml archguard.yaml; do
    cp -a "$repo/$item" "$work/$item"
  done
  find "$work" \( -name __pycache__ -o -name .archguard_cache -o -name .grimp_cache \) \
    -prune -exec rm -rf {} +
  cp "${MUTATION_CONFIG:-$repo/tools/mutation/setup.cfg}" "$work/setup.cfg"

  cd "$work"
  "$mutmut" run --max-children "${MUTATION_WORKERS:-1}" "$@" || true
  "$python" "$repo/tools/mutation/score.py" "$work/mutants"
}

main "$@"

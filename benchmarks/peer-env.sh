#!/usr/bin/env bash
# Create benchmarks/.peer-venv: a separate environment for the peer drift tool (Evidently), never
# mixed with mlaudit's .venv.  Used only by benchmarks/bench_drift_peer.py.
#
#   bash benchmarks/peer-env.sh          # or: make bench-peer-env
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.peer-venv"
PYTHON="${PYTHON:-python3.11}"
EVIDENTLY_VERSION="${EVIDENTLY_VERSION:-0.7.23}"

# pip quietly, showing its output (minus the index's "Location ... is ignored" noise) on failure.
pip_install() {
  local log
  log="$(mktemp)"
  if ! "$VENV/bin/python" -m pip install --quiet "$@" >"$log" 2>&1; then
    grep -v "^WARNING: Location" "$log" >&2 || true
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
pip_install --upgrade pip
# pandas<3: Evidently 0.7.23 imports pandas internals that pandas 3 removed.
# pyarrow: pandas reads the Parquet files with it.
pip_install "evidently==$EVIDENTLY_VERSION" "pandas<3" pyarrow
"$VENV/bin/python" -c "import evidently, pandas, pyarrow; print('peer env ready: evidently', evidently.__version__, '| pandas', pandas.__version__, '| pyarrow', pyarrow.__version__)"

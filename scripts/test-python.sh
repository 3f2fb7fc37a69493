#!/usr/bin/env bash
# The Python tests (launch files, training recipe smoke run, export tool), with Debian's PyTorch (/usr/bin/python3). Where torch is not
# installed they are skipped with a visible note, except on CI where that is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
if /usr/bin/python3 -c "import torch, onnx, pytest" 2>/dev/null; then
  # The pose tests compare with upstream's SciPy arithmetic; CI must run them, not skip them.
  if [ -n "${CI:-}" ] && ! /usr/bin/python3 -c "import scipy.spatial.transform" 2>/dev/null; then
    echo "the export tool's pose tests need Debian's python3-scipy on CI" >&2
    exit 1
  fi
  /usr/bin/python3 -m pytest -q -p no:cacheprovider launch/tests tools/train/tests
  exec /usr/bin/python3 -m pytest -q tools/export/tests
fi
if [ -n "${CI:-}" ]; then
  echo "the Python tests need Debian's python3-torch python3-onnx python3-pytest" >&2
  exit 1
fi
echo "SKIPPED Python tests (export tool, training): apt-get install python3-torch python3-onnx python3-pytest python3-scipy to run them"

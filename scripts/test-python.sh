#!/usr/bin/env bash
# The export tool's Python tests, run with Debian's PyTorch (/usr/bin/python3). Where torch is not
# installed they are skipped with a visible note, except on CI where that is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
if /usr/bin/python3 -c "import torch, onnx, pytest" 2>/dev/null; then
  exec /usr/bin/python3 -m pytest -q tools/export/tests
fi
if [ -n "${CI:-}" ]; then
  echo "export tool tests need Debian's python3-torch python3-onnx python3-pytest" >&2
  exit 1
fi
echo "SKIPPED export tool tests: apt-get install python3-torch python3-onnx python3-pytest to run them"

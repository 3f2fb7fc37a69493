#!/usr/bin/env python3
"""CLI: /usr/bin/python3 tools/export/export.py --checkpoint CKPT --out DIR (--preset P | --config CFG.json)
[--dtype fp32|fp16] [--horizons 1,2] [--opset 17] [--random-init --seed N]  (see tools/export/README.md)"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vjepa2_export.exporter import run  # noqa: E402

if __name__ == "__main__":
    sys.exit(run())

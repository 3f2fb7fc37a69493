"""Makes the exporter package (tools/export/vjepa2_export) importable: the architecture is the exporter's."""

import os
import sys

TRAIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPORT_DIR = os.path.join(os.path.dirname(TRAIN_DIR), "export")
if EXPORT_DIR not in sys.path:
    sys.path.insert(0, EXPORT_DIR)

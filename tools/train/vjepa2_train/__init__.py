"""Miniature V-JEPA 2 / V-JEPA 2-AC training (CPU-sized) on simulator videos; see tools/train/README.md."""

__version__ = "0.1.0"

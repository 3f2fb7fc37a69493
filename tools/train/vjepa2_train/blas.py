"""Which BLAS torch's matrix products run on.

Debian's python3-torch links libblas.so.3, whichever implementation update-alternatives points at. Installed
with --no-install-recommends that is the netlib reference BLAS, about 30 times slower than OpenBLAS; since
training budgets are wall-clock minutes, such a run silently trains a fraction of the steps. The library
mapped into the process tells which one is in use.
"""
import os
import re

# The reference implementation lives in a directory named "blas" (/usr/lib/<triplet>/blas/libblas.so.3.*);
# OpenBLAS, BLIS and MKL live in their own directories (openblas-pthread/, blis-openmp/, ...).
_REFERENCE = re.compile(r"/blas/libblas\.so[.0-9]*$")
_LIBBLAS = re.compile(r"libblas\.so[.0-9]*$")


def mapped_blas(maps_text):
    """The libblas.so paths mapped in a /proc/PID/maps text, in order of appearance, without repeats."""
    paths = []
    for line in maps_text.splitlines():
        parts = line.split(maxsplit=5)
        if len(parts) == 6 and _LIBBLAS.search(parts[5]) and parts[5] not in paths:
            paths.append(parts[5])
    return paths


def reference_blas(maps_text=None):
    """The path of the reference BLAS when this process uses it, else None (also where /proc is absent)."""
    if maps_text is None:
        try:
            with open(f"/proc/{os.getpid()}/maps") as f:
                maps_text = f.read()
        except OSError:
            return None
    for path in mapped_blas(maps_text):
        if _REFERENCE.search(path):
            return path
    return None

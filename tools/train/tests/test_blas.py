from vjepa2_train.blas import mapped_blas, reference_blas

REFERENCE_MAPS = """\
7f2a1c000000-7f2a1c010000 r--p 00000000 08:01 123 /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0
7f2a1c010000-7f2a1c080000 r-xp 00010000 08:01 123 /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0
7f2a1d000000-7f2a1d100000 r-xp 00000000 08:01 456 /usr/lib/x86_64-linux-gnu/libgomp.so.1.0.0
"""
OPENBLAS_MAPS = """\
7f2a1c000000-7f2a1c010000 r--p 00000000 08:01 789 /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3
7f2a1d000000-7f2a1d100000 r-xp 00000000 08:01 456 /usr/lib/x86_64-linux-gnu/libgomp.so.1.0.0
7f2a1e000000-7f2a1e100000 rw-p 00000000 00:00 0
"""


def test_reference_blas_is_recognised_and_openblas_is_not():
    assert mapped_blas(REFERENCE_MAPS) == ["/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"]
    assert reference_blas(REFERENCE_MAPS) == "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"
    assert mapped_blas(OPENBLAS_MAPS) == ["/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"]
    assert reference_blas(OPENBLAS_MAPS) is None
    assert reference_blas("") is None


def test_this_process_answers_without_error():
    import torch  # noqa: F401  (maps libblas into the process)
    result = reference_blas()
    assert result is None or "libblas" in result

"""The C library calls of an ingest (heap trimming, dying with the parent) where ctypes cannot
open the C library without a name, as on Windows."""

from accord.evidence import child_process, ingest


def _no_unnamed_library(name, *args, **kwargs):
    raise TypeError(f"expected str, bytes or os.PathLike object, not {type(name).__name__}")


def test_no_c_library_means_no_trim_and_no_death_signal(monkeypatch):
    monkeypatch.setattr("ctypes.CDLL", _no_unnamed_library)
    assert ingest.c_library() is None
    assert ingest._malloc_trim() is None
    monkeypatch.setattr(child_process.os, "getppid", lambda: 4242)
    child_process.die_with(4242)  # neither raises nor exits: the parent is alive


def test_glibc_gives_both_calls():
    lib = ingest.c_library()
    assert lib is not None and ingest._malloc_trim() is not None
    assert getattr(lib, "prctl", None) is not None

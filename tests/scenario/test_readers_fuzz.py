"""Every reader either loads a mangled file or raises accord's own InputError."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.errors import InputError
from accord.scenario.deu import read_deu
from accord.scenario.io import load_scenario, save_scenario

FIXTURE = Path(__file__).parent / "fixtures" / "small.yaml"
SHARED_DEU = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "deu" / "deu3-dev.tsv"


def _csv_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as d:
        return save_scenario(load_scenario(FIXTURE), Path(d) / "s.csv").read_bytes()


def _deu_bytes() -> bytes:
    if SHARED_DEU.is_file():
        return b"".join(SHARED_DEU.read_bytes().splitlines(keepends=True)[:8])
    header = "\t".join(f'"{c}"' for c in ["prnr", "isnr", "rp", "out"] + [f"p{a}" for a in ("com", "ep")])
    return (header + "\r\n").encode()


SEEDS = {"yaml": FIXTURE.read_bytes(), "csv": _csv_bytes(), "tsv": _deu_bytes()}

mutation = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.integers(1, 40), st.binary(max_size=0)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.integers(0, 0), st.binary(min_size=1, max_size=12)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.integers(0, 0), st.sampled_from([b":", b"-", b"{", b"'", b'"', b"\t", b",", b"\n", b"1e999", b"nan", b"\xff", b"\x00", b"x"])),
    st.tuples(st.just("truncate"), st.integers(0, 10_000), st.integers(0, 0), st.binary(max_size=0)),
)


def apply(data: bytes, ops) -> bytes:
    for kind, at, length, payload in ops:
        at = at % (len(data) + 1)
        if kind == "delete":
            data = data[:at] + data[at + length :]
        elif kind == "insert":
            data = data[:at] + payload + data[at:]
        else:
            data = data[:at]
    return data


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(SEEDS)), st.lists(mutation, min_size=1, max_size=4))
def test_mangled_files_load_or_raise_input_error(tmp_path_factory, kind, ops) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"input.{kind}"
    path.write_bytes(apply(SEEDS[kind], ops))
    try:
        if kind == "tsv":
            read_deu(path)
        else:
            load_scenario(path)
    except InputError as exc:
        assert str(exc).startswith(str(path)) or exc.file == str(path)
        assert "\n" not in str(exc)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300), st.sampled_from(["yaml", "csv", "tsv", "json", "txt"]))
def test_random_bytes_load_or_raise_input_error(tmp_path_factory, data, ext) -> None:
    path = tmp_path_factory.mktemp("rand") / f"input.{ext}"
    path.write_bytes(data)
    try:
        read_deu(path) if ext == "tsv" else load_scenario(path)
    except InputError:
        pass

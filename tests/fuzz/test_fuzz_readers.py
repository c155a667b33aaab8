"""Mutated input files through every reader: a result or an AccordError, nothing else (issue 14)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fuzz_budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.analysis.backtest import load_outcomes, market_history
from accord.cases import case_dir, load_case
from accord.errors import AccordError
from accord.gmcr.io import load_gmcr
from accord.packages.io import load_package_model
from accord.scenario.decide import read_decide
from accord.scenario.io import load_scenario, save_scenario

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "scenario" / "fixtures" / "small.yaml"
COLOMBIA = case_dir("colombia")
UKRAINE = case_dir("ukraine")


def _converted(ext: str) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        return save_scenario(load_scenario(SMALL), Path(d) / f"s{ext}").read_bytes()


MARKETS = (b"slug,market,time,price,end_date,resolution\n"
           b"m1,Ceasefire by June?,2025-03-01T00:00:00,0.35,2025-06-30,0\n"
           b"m1,Ceasefire by June?,2025-04-01T00:00:00,0.30,2025-06-30,0\n")


def _market_reader(path: Path) -> object:

    return market_history(path)


def _case_reader(path: Path) -> object:
    (path.parent / "scenario.yaml").write_bytes(SMALL.read_bytes())
    return load_case(path.parent)


# name → (file name the reader is given, seed bytes, reader)
READERS = {
    "scenario-yaml": ("s.yaml", SMALL.read_bytes(), load_scenario),
    "scenario-json": ("s.json", _converted(".json"), load_scenario),
    "scenario-csv": ("s.csv", _converted(".csv"), load_scenario),
    "scenario-decide": ("s.decide", _converted(".decide"), read_decide),
    "packages": ("packages.yaml", (COLOMBIA / "packages.yaml").read_bytes(), load_package_model),
    "gmcr": ("truce.yaml", (COLOMBIA / "truce.yaml").read_bytes(), load_gmcr),
    "outcomes": ("outcomes.yaml", (UKRAINE / "outcomes.yaml").read_bytes()[:6000], load_outcomes),
    "case": ("case.yaml", (COLOMBIA / "case.yaml").read_bytes(), _case_reader),
    "markets": ("markets.csv", MARKETS, _market_reader),
}

HOSTILE = [b":", b"-", b"{", b"}", b"[", b"]", b"'", b'"', b"\t", b",", b"\n", b"  ", b"&a", b"*a", b"!!python/object:os.system",
           b"1e999", b".inf", b"nan", b"-1", b"\xff", b"\x00", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"9" * 5000, b"[" * 200,
           b"\\ud800", b"x" * 140_000, b"---\n", b"#A", b"#P"]

mutation = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.integers(1, 60), st.just(b"")),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.just(0), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.just(0), st.sampled_from(HOSTILE)),
    st.tuples(st.just("repeat"), st.integers(0, 10**6), st.integers(1, 80), st.integers(2, 50).map(lambda k: bytes([k]))),
    st.tuples(st.just("truncate"), st.integers(0, 10**6), st.just(0), st.just(b"")),
)


def mutate(data: bytes, ops: list) -> bytes:
    """Apply the drawn edits: delete or repeat a span, insert bytes, cut the file."""
    for kind, at, length, payload in ops:
        at = at % (len(data) + 1)
        if kind == "delete":
            data = data[:at] + data[at + length:]
        elif kind == "insert":
            data = data[:at] + payload + data[at:]
        elif kind == "repeat":
            data = data[:at] + data[at:at + length] * payload[0] + data[at:]
        else:
            data = data[:at]
    return data


@pytest.mark.parametrize("reader", list(READERS))
@settings(max_examples=examples(ci=15, fuzz=1000))
@given(ops=st.lists(mutation, min_size=1, max_size=6))
def test_mutated_files_load_or_raise_an_accord_error(reader, ops, budget, tmp_path_factory):
    name, seed, read = READERS[reader]
    folder = tmp_path_factory.mktemp(reader)
    path = folder / name
    data = mutate(seed, ops)
    path.write_bytes(data)

    def attempt() -> None:
        try:
            read(path)
        except AccordError as exc:
            assert "\n" not in str(exc), str(exc)

    budget.measure(f"{reader} {len(data)} bytes {ops!r}"[:200], attempt)

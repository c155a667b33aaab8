"""Reading input files into RawDocuments: text, Markdown, HTML, PDF, JSON Lines and URL lists.

Every file that cannot be read (missing, binary, empty, oversized, malformed) becomes a
``Problem`` with a one-line message; the other inputs go on. Inside a folder, files named
``README*`` (any case) document the folder and are not articles: they are left out
(a README named explicitly is read).
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from accord.evidence.records import RawDocument, now_iso

DEFAULT_MAX_BYTES = 10_000_000
MAX_BYTES_ENV = "ACCORD_INGEST_MAX_BYTES"


def max_bytes() -> int:
    """The size limit of one input (``ACCORD_INGEST_MAX_BYTES`` overrides the 10 MB default)."""
    try:
        return int(os.environ.get(MAX_BYTES_ENV, DEFAULT_MAX_BYTES))
    except ValueError:
        return DEFAULT_MAX_BYTES


TEXT_EXT = {".txt", ".text"}
MD_EXT = {".md", ".markdown"}
HTML_EXT = {".html", ".htm", ".xhtml"}
JSONL_EXT = {".jsonl", ".ndjson"}
URL_EXT = {".urls", ".url"}
PDF_EXT = {".pdf"}
SUPPORTED_EXT = TEXT_EXT | MD_EXT | HTML_EXT | JSONL_EXT | URL_EXT | PDF_EXT
FOLDER_NOTES_PREFIX = "readme"
FETCH_TIMEOUT = 15.0
_URL_LINE = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class Problem:
    """An input that was skipped, with the reason."""

    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path | Problem]:
    """Files named or found under ``paths``, streamed (no whole-corpus list).

    Folders are walked depth first, one directory listing at a time, each folder's entries
    sorted by name; hidden files and folders, and the folder's notes (``README*``), are left
    out. A missing or irregular path yields a ``Problem``.
    """
    for p in paths:
        path = Path(p)
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield path
        elif not path.exists():
            yield Problem(str(path), "no such file or directory")
        else:
            yield Problem(str(path), "not a regular file")


def _walk(folder: Path) -> Iterator[Path]:
    try:
        with os.scandir(folder) as it:
            entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        child = folder / entry.name
        if entry.is_dir():
            yield from _walk(child)
        elif entry.is_file() and not is_folder_notes(entry.name):
            yield child


def is_folder_notes(name: str) -> bool:
    """True for a file that documents its folder rather than being an article (``README*``)."""
    return name.lower().startswith(FOLDER_NOTES_PREFIX)


def _read_bytes(path: Path) -> bytes | Problem:
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Problem(str(path), f"cannot read: {exc.strerror or exc}")
    limit = max_bytes()
    if size > limit:
        return Problem(str(path), f"too large ({size:,} bytes; limit {limit:,})")
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        return Problem(str(path), f"cannot read: {exc.strerror or exc}")


def decode(data: bytes, name: str) -> str | Problem:
    """UTF-8 text of ``data`` (BOM removed), or a Problem for binary, undecodable or empty input."""
    if b"\x00" in data[:8192]:
        return Problem(name, "binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Problem(name, f"not UTF-8 text (invalid byte at offset {exc.start})")
    if not text.strip():
        return Problem(name, "empty file")
    return text


def read_path(path: Path) -> Iterator[RawDocument | Problem]:
    """The documents in one file (several for JSON Lines and URL lists)."""
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXT:
        yield Problem(str(path), f"unsupported file type {ext or '(none)'!r}")
        return
    data = _read_bytes(path)
    if isinstance(data, Problem):
        yield data
        return
    if ext in PDF_EXT:
        from accord.evidence.pdf import pdf_document

        yield pdf_document(data, str(path))
        return
    text = decode(data, str(path))
    if isinstance(text, Problem):
        yield text
        return
    name = str(path)
    if ext in JSONL_EXT:
        yield from read_jsonl(text, name)
    elif ext in URL_EXT or (ext in TEXT_EXT and _is_url_list(text)):
        yield from read_url_list(text, name)
    elif ext in HTML_EXT:
        yield from _one(html_document(text, name))
    elif ext in MD_EXT:
        yield from _one(markdown_document(text, name))
    else:
        yield text_document(text, name)


_HEADER_LINE = re.compile(r"^(title|date|outlet|source|url|author)\s*:\s*(.*?)\s*$", re.IGNORECASE)


def text_document(text: str, name: str) -> RawDocument:
    """Plain text; a leading block of ``Title:``/``Date:``/``Outlet:``/``Source:`` lines up to
    the first blank line is read as metadata (``Source`` or ``URL`` give the address)."""
    lines = text.splitlines()
    meta: dict[str, str] = {}
    k = 0
    while k < len(lines) and (m := _HEADER_LINE.match(lines[k])):
        meta[m.group(1).lower()] = m.group(2)
        k += 1
    if meta and (k == len(lines) or not lines[k].strip()):
        body = "\n".join(lines[k:]).lstrip("\n")
        url = meta.get("url") or meta.get("source")
        return RawDocument(source=name, text=body, url=url if url and _URL_LINE.match(url) else None,
                           title=meta.get("title") or _first_line_title(body), published=meta.get("date"),
                           outlet=meta.get("outlet"), fmt="text")
    return RawDocument(source=name, text=text, fmt="text", title=_first_line_title(text))


def _one(doc: RawDocument | Problem) -> Iterator[RawDocument | Problem]:
    yield doc


def _is_url_list(text: str) -> bool:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return bool(lines) and all(_URL_LINE.match(ln) for ln in lines)


def _first_line_title(text: str) -> str | None:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:200] if len(line) <= 200 and not line.endswith(".") else None
    return None


def read_jsonl(text: str, name: str) -> Iterator[RawDocument | Problem]:
    """One document per JSON line with ``text`` and optional url, title, date, outlet."""
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Problem(name, f"invalid JSON ({exc.msg})", line=n)
            continue
        if not isinstance(obj, dict):
            yield Problem(name, "a line must hold a JSON object", line=n)
            continue
        body = obj.get("text")
        if not isinstance(body, str) or not body.strip():
            yield Problem(name, "field 'text' is missing or empty", line=n)
            continue
        date = obj.get("date") or obj.get("published_at") or obj.get("published")
        yield RawDocument(
            source=f"{name}:{n}", text=body, url=_str(obj.get("url")), title=_str(obj.get("title")),
            published=_str(date), outlet=_str(obj.get("outlet")), fmt="jsonl",
        )


def _str(v) -> str | None:
    return None if v is None else str(v)


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def markdown_document(text: str, name: str) -> RawDocument:
    """A Markdown file as text: front matter read for metadata, markup removed."""
    meta: dict[str, str] = {}
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end > 0:
            for line in text[4:end].splitlines():
                k, _, v = line.partition(":")
                if v.strip():
                    meta[k.strip().lower()] = v.strip().strip("'\"")
            text = text[end + 4 :]
    lines = []
    title = meta.get("title")
    for line in text.splitlines():
        s = line.rstrip()
        m = re.match(r"^\s{0,3}#{1,6}\s+(.*)$", s)
        if m:
            s = m.group(1).rstrip("# ")
            title = title or s
        s = re.sub(r"^\s{0,3}(?:[-*+]|\d+\.)\s+", "", s)
        s = re.sub(r"^\s{0,3}>\s?", "", s)
        s = _MD_LINK.sub(r"\1", s)
        s = _MD_EMPH.sub(r"\2", s)
        lines.append(s)
    return RawDocument(source=name, text="\n".join(lines), url=meta.get("url"), title=title,
                       published=meta.get("date"), outlet=meta.get("outlet"), fmt="markdown")


_META_TAG = re.compile(r"<meta\s[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def html_meta(html: str) -> dict[str, str]:
    """``<meta>`` tags of a page by lower-case ``name`` or ``property`` (the first of each), unescaped."""
    import html as htmlmod

    meta: dict[str, str] = {}
    for tag in _META_TAG.finditer(html):
        attrs = {m.group(1).lower(): m.group(2) if m.group(2) is not None else (m.group(3) or m.group(4) or "")
                 for m in _ATTR.finditer(tag.group(0))}
        key = (attrs.get("property") or attrs.get("name") or "").lower()
        content = htmlmod.unescape(attrs.get("content") or "").strip()
        if key and content:
            meta.setdefault(key, content)
    return meta


def _source_url(meta: dict[str, str]) -> str | None:
    """The page's declared source address (``<meta name="source">``), when it is a URL."""
    src = meta.get("source")
    return src if src and _URL_LINE.match(src) else None


def html_document(html: str, name: str, url: str | None = None) -> RawDocument | Problem:
    """Main text and metadata of an HTML page (trafilatura; a plain lxml reader if it cannot load).

    The address is, in order: the URL the page was fetched from, its ``<meta name="source">``,
    the address the page declares (canonical link or ``og:url``).
    """
    try:
        import trafilatura
    except ImportError:
        trafilatura = None
    if trafilatura is not None:
        try:
            res = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
        except Exception as exc:  # trafilatura raises assorted parser errors on broken markup
            return Problem(name, f"HTML could not be parsed ({type(exc).__name__})")
        d = {} if res is None else (res.as_dict() if hasattr(res, "as_dict") else dict(res))
        body = d.get("text") or ""
        if not body.strip():  # short pages fall under trafilatura's size thresholds: read them plainly
            return _html_fallback(html, name, url)
        return RawDocument(source=name, text=body, url=url or _source_url(html_meta(html)) or d.get("url"),
                           title=d.get("title"),
                           published=d.get("date"), outlet=d.get("sitename"), fmt="html")
    return _html_fallback(html, name, url)


_DROP = ("script", "style", "nav", "footer", "header", "aside", "form", "noscript", "iframe", "svg", "button")
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre")


def _html_fallback(html: str, name: str, url: str | None) -> RawDocument | Problem:
    try:
        import lxml.html
    except ImportError:  # pragma: no cover
        return Problem(name, "no HTML reader available (install trafilatura)")
    try:
        root = lxml.html.document_fromstring(html)
    except Exception as exc:
        return Problem(name, f"HTML could not be parsed ({type(exc).__name__})")
    meta = html_meta(html)
    title = meta.get("og:title") or (root.findtext(".//title") or "").strip() or None
    for bad in list(root.iter(*_DROP)):
        if bad.getparent() is not None:
            bad.getparent().remove(bad)
    main = root
    for candidate in (next(iter(root.iter("article")), None), next(iter(root.iter("main")), None), root.find("body")):
        if candidate is not None:
            main = candidate
            break
    paras = []
    for el in main.iter(*_BLOCKS):
        if any(a.tag in _BLOCKS for a in el.iterancestors()):
            continue
        t = " ".join(el.text_content().split())
        if not t:
            continue
        link_chars = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
        if len(t) < 200 and link_chars / len(t) > 0.5:
            continue  # link-dense navigation block
        paras.append(t)
    if not paras:
        return Problem(name, "no main text found in HTML")
    date = meta.get("article:published_time") or meta.get("date") or meta.get("pubdate")
    if not date:
        try:
            from htmldate import find_date

            date = find_date(html, extensive_search=False)
        except Exception:
            date = None
    return RawDocument(source=name, text="\n\n".join(paras), url=url or _source_url(meta) or meta.get("og:url"),
                       title=title,
                       published=date, outlet=meta.get("og:site_name"), fmt="html")


def read_url_list(text: str, name: str) -> Iterator[RawDocument | Problem]:
    """Fetch every URL of a list over HTTP(S) and read the pages."""
    for n, line in enumerate(text.splitlines(), start=1):
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        if not _URL_LINE.match(url):
            yield Problem(name, f"not a URL: {url[:80]!r}", line=n)
            continue
        yield fetch_url(url)


def fetch_url(url: str) -> RawDocument | Problem:
    """One page over HTTP(S), read as HTML or plain text by its content type."""
    req = urllib.request.Request(url, headers={"User-Agent": "accord-evidence/0.1"})
    try:
        with urllib.request.urlopen(req, timeout=FETCH_TIMEOUT) as resp:
            limit = max_bytes()
            data = resp.read(limit + 1)
            ctype = resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return Problem(url, f"HTTP {exc.code} {exc.reason}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Problem(url, f"cannot fetch: {reason}")
    if len(data) > limit:
        return Problem(url, f"too large (over {limit:,} bytes)")
    text = decode(data, url)
    if isinstance(text, Problem):
        return text
    if "html" in ctype.lower() or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        doc = html_document(text, url, url=url)
        if isinstance(doc, RawDocument):
            doc.fmt = "url"
        return doc
    return RawDocument(source=url, text=text, url=url, fmt="url", title=_first_line_title(text))


def read_inputs(paths: list[str | Path]) -> Iterator[RawDocument | Problem]:
    """Every document (or problem) under ``paths``, in a stable order, stamped with the read time."""
    for item in iter_files(paths):
        if isinstance(item, Problem):
            yield item
            continue
        for doc in read_path(item):
            if isinstance(doc, RawDocument) and doc.retrieved_at is None:
                doc.retrieved_at = now_iso()
            yield doc

"""Reading input files into RawDocuments: text, Markdown, HTML, PDF, JSON Lines and URL lists.

Every file that cannot be read (missing, binary, empty, oversized, malformed) becomes a
``Problem`` with a one-line message; the other inputs go on. Inside a folder, files named
``README*`` (any case) document the folder and are not articles: they are left out
(a README named explicitly is read).
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import re
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from accord.evidence.records import RawDocument, now_iso

DEFAULT_MAX_BYTES = 10_000_000
MAX_BYTES_ENV = "ACCORD_INGEST_MAX_BYTES"
DEFAULT_PART_CHARS = 100_000
PART_CHARS_ENV = "ACCORD_ARTICLE_MAX_CHARS"
DEFAULT_FETCH_DEADLINE = 60.0
FETCH_DEADLINE_ENV = "ACCORD_FETCH_DEADLINE"


def _env_number(name: str, default, kind=int):
    try:
        value = kind(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def max_bytes() -> int:
    """The size limit of one input (``ACCORD_INGEST_MAX_BYTES`` overrides the 10 MB default)."""
    return _env_number(MAX_BYTES_ENV, DEFAULT_MAX_BYTES)


def part_chars() -> int:
    """The largest article parsed as one document, in characters (``ACCORD_ARTICLE_MAX_CHARS``
    overrides the 100,000 default); a longer article is split into parts of at most this size."""
    return _env_number(PART_CHARS_ENV, DEFAULT_PART_CHARS)


def fetch_deadline() -> float:
    """Seconds one URL fetch may take in all (``ACCORD_FETCH_DEADLINE`` overrides the 60 s default)."""
    return _env_number(FETCH_DEADLINE_ENV, DEFAULT_FETCH_DEADLINE, float)


_SURROGATE = re.compile("[\ud800-\udfff]")


def normalise_text(value: str) -> str:
    """``value`` with lone surrogates (which no UTF-8 file can hold) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def _normalised(doc: RawDocument) -> RawDocument:
    """A document whose text and metadata are valid Unicode (the reader boundary)."""
    changes = {f.name: normalise_text(v) for f in dataclasses.fields(doc)
               if isinstance(v := getattr(doc, f.name), str) and _SURROGATE.search(v)}
    return dataclasses.replace(doc, **changes) if changes else doc


_PARA_BREAK = re.compile(r"\n[ \t\r]*\n")


def split_parts(doc: RawDocument, limit: int) -> list[RawDocument]:
    """``doc`` cut into parts of at most ``limit`` characters, at paragraph breaks where possible
    (else at white space, else anywhere); a document within the limit is returned alone."""
    text = doc.text
    if len(text) <= limit:
        return [doc]
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        window = text[start:start + limit + 1]
        cut = max((m.start() for m in _PARA_BREAK.finditer(window)), default=-1)
        if cut <= 0:
            cut = max(window.rfind(" "), window.rfind("\n"))
        if cut <= 0:
            cut = limit
        pieces.append(text[start:start + cut])
        start += cut
    pieces.append(text[start:])
    parts = [p for p in pieces if p.strip()]
    return [dataclasses.replace(doc, source=f"{doc.source}#part{k}", text=p,
                                title=doc.title and f"{doc.title} (part {k} of {len(parts)})")
            for k, p in enumerate(parts, start=1)]


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
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(child)
        elif entry.is_symlink() or (entry.is_file() and not is_folder_notes(entry.name)):
            # a link is handed to the reader, which reads a linked file and reports a linked
            # folder or a broken or looping link as a problem: links to folders are not followed,
            # so a link loop cannot make the walk endless
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
    """The documents in one file (several for JSON Lines and URL lists), each with valid
    Unicode text and metadata, and each no longer than :func:`part_chars` (longer articles
    come as parts named ``FILE#partK``)."""
    limit = part_chars()
    for doc in _read_path(path):
        if isinstance(doc, Problem):
            yield doc
        else:
            yield from split_parts(_normalised(doc), limit)


def _read_path(path: Path) -> Iterator[RawDocument | Problem]:
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


_HEADER_LINE = re.compile(r"^(title|date|outlet|source|url|author)[ \t]*:(.*)$", re.IGNORECASE)


def text_document(text: str, name: str) -> RawDocument:
    """Plain text; a leading block of ``Title:``/``Date:``/``Outlet:``/``Source:`` lines up to
    the first blank line is read as metadata (``Source`` or ``URL`` give the address)."""
    lines = text.splitlines()
    meta: dict[str, str] = {}
    k = 0
    while k < len(lines) and (m := _HEADER_LINE.match(lines[k])):
        meta[m.group(1).lower()] = m.group(2).strip()
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


# Inline markup, linear by construction: every variable-length run excludes the character that
# opens the pattern, so a scan that starts at one opener stops at the next one and the scans
# from all openers of a line cover it at most once (docs/methods/evidence.md, "Reading").
_MD_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|_|`)(?=[^\s*_`])([^*_`\n]*)(?<=[^\s*_`])\1")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$")
_MD_LIST = re.compile(r"^\s{0,3}(?:[-*+]|\d+\.)\s+")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")


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
        m = _MD_HEADING.match(s)
        if m:
            s = m.group(1).rstrip("# ")
            title = title or s
        s = _MD_LIST.sub("", s, count=1)
        s = _MD_QUOTE.sub("", s, count=1)
        s = _MD_LINK.sub(r"\1", s)
        s = _MD_EMPH.sub(r"\2", s)
        lines.append(s)
    return RawDocument(source=name, text="\n".join(lines), url=meta.get("url"), title=title,
                       published=meta.get("date"), outlet=meta.get("outlet"), fmt="markdown")


# Linear by construction, as the Markdown patterns: a tag stops at the next "<", a name starts a word.
_META_TAG = re.compile(r"<meta\s[^<>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""(?<![\w:.-])([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


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


class _Deadline:
    """Shuts every socket of one fetch down when its overall time is up, so a server that
    trickles bytes cannot hold the fetch beyond the deadline (the socket timeout is per read)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _tracked(base: type[http.client.HTTPConnection], deadline: _Deadline) -> type[http.client.HTTPConnection]:
    class Connection(base):  # type: ignore[misc, valid-type]
        def connect(self) -> None:
            super().connect()
            deadline.track(self.sock)

    return Connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(_tracked(http.client.HTTPConnection, self.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):
        return self.do_open(_tracked(http.client.HTTPSConnection, self.deadline), req, context=self._context)


def fetch_url(url: str) -> RawDocument | Problem:
    """One page over HTTP(S), read as HTML or plain text by its content type.

    The whole fetch (connecting, redirects, headers and body) must end within
    :func:`fetch_deadline` seconds; every failure is a ``Problem`` naming the URL.
    """
    limit = max_bytes()
    seconds = fetch_deadline()
    late = Problem(url, f"no complete response within {seconds:g} s (the deadline of one fetch)")
    deadline = _Deadline(seconds)
    try:
        with deadline:
            opener = urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline))
            req = urllib.request.Request(url, headers={"User-Agent": "accord-evidence/0.1"})
            with opener.open(req, timeout=min(FETCH_TIMEOUT, seconds)) as resp:
                data = resp.read(limit + 1)
                ctype = resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return Problem(url, f"HTTP {exc.code} {exc.reason}")
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        if deadline.expired:
            return late
        reason = getattr(exc, "reason", None) or exc
        return Problem(url, f"cannot fetch: {reason}")
    if deadline.expired:
        return late
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

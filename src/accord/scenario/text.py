"""Reading input files as text, with clear errors for the usual ways they go wrong."""

from __future__ import annotations

from pathlib import Path

from accord.errors import InputError

MAX_INPUT_BYTES = 200 * 1024 * 1024


def read_text(path: str | Path, *, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """The file's text as UTF-8 (a BOM is dropped); errors name the file and the line."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", file=str(p))
    if p.is_dir():
        raise InputError("is a folder, expected a file", file=str(p))
    size = p.stat().st_size
    if size > max_bytes:
        raise InputError(f"file is too large ({size} bytes; limit {max_bytes})", file=str(p))
    data = p.read_bytes()
    if not data.strip():
        raise InputError("file is empty", file=str(p))
    if b"\x00" in data[:8192]:
        raise InputError("looks like a binary file (NUL bytes), expected text", file=str(p))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", file=str(p), line=line
        ) from None
    return text.removeprefix("\ufeff")

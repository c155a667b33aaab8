"""Word lists bundled with accord.evidence (plain text, one entry per line, # comments)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load(name: str) -> tuple[str, ...]:
    """The entries of lexicon ``name`` (file ``<name>.txt``), lower-cased, in file order."""
    text = resources.files(__package__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line.lower())
    return tuple(dict.fromkeys(out))

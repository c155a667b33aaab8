"""The issue index's keyword search: ``issues_in`` skips an issue's pattern only where no match can be."""

from __future__ import annotations

import re
import string
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.evidence.statements import _IGNORECASE_FOLD, IssueIndex
from accord.scenario.io import load_scenario

CASES = Path(__file__).resolve().parents[2] / "src" / "accord" / "cases"


def _searched(idx: IssueIndex, text: str) -> list[str]:
    """The issues whose pattern matches ``text``, every pattern searched."""
    return [iid for iid, pat in idx.patterns.items() if pat.search(text)]


def _index(case: str, extra: dict[str, list[str]] | None = None) -> IssueIndex:
    """The issue index of a bundled case, with ``extra`` issue keywords replacing the first issues'."""
    sc = load_scenario(CASES / case / "scenario.yaml")
    issues = list(sc.issues)
    for k, kws in enumerate((extra or {}).values()):
        issues[k] = issues[k].model_copy(update={"keywords": kws})
    return IssueIndex.from_scenario(sc.model_copy(update={"issues": issues}))


UKRAINE = _index("ukraine")
# a second case, with keywords beyond ASCII (always searched) and keywords written in other cases
COLOMBIA = _index("colombia", {"a": ["Bogotá accord", "señal"], "b": ["ZONAS veredales", "FARC-EP", "K-9"]})


def test_every_letter_the_ignorecase_flag_matches_folds_to_that_letter():
    """Every character a case-insensitive ASCII letter matches folds to that letter (the fold
    table is complete on this Python; a character missing from it would hide a match)."""
    letters = re.compile("[a-z]", re.I)
    missed = []
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        if letters.fullmatch(c):
            folded = c.translate(_IGNORECASE_FOLD).lower()
            if not (len(folded) == 1 and folded in string.ascii_lowercase and re.fullmatch(folded, c, re.I)):
                missed.append(hex(cp))
    assert missed == []


def test_issues_are_found_through_the_characters_the_flag_folds():
    assert UKRAINE.issues_in("The ſanctions stay") == ["sanctions_relief"]
    assert UKRAINE.issues_in("ARMY \u212aEPT; NATO") == ["nato", "army_cap"]
    assert UKRAINE.issues_in("CR\u0130MEA") == ["recognition"]
    assert UKRAINE.issues_in("sanctionsrelief, armystrong") == []  # word boundaries still hold
    assert COLOMBIA.issues_in("the BOGOTÁ ACCORD") == _searched(COLOMBIA, "the BOGOTÁ ACCORD") != []


_SPECIAL = {"i": ["\u0130", "\u0131", "I"], "s": ["\u017f", "S"], "k": ["\u212a", "K"]}


@st.composite
def _texts(draw, idx: IssueIndex) -> str:
    """Texts of keywords of ``idx`` (in any case, with letters swapped for the characters that
    match them case-insensitively), cut, joined and mixed with any other text."""
    keywords = sorted({k for pat in idx.patterns.values() for k in re.findall(r"\(\?:(.*)\)", pat.pattern)[0].split("|")})
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.booleans()):
            kw = re.sub(r"\\(.)", r"\1", draw(st.sampled_from(keywords)))
            chars = []
            for c in kw:
                pick = draw(st.integers(0, 3))
                if pick == 1:
                    c = c.upper()
                elif pick == 2 and c.lower() in _SPECIAL:
                    c = draw(st.sampled_from(_SPECIAL[c.lower()]))
                chars.append(c)
            kw = "".join(chars)
            if draw(st.integers(0, 4)) == 0:
                kw = kw[draw(st.integers(0, len(kw))):]
            parts.append(kw)
        else:
            parts.append(draw(st.text(max_size=12)))
    return draw(st.sampled_from(["", " ", "-", "_", "a"])).join(parts)


@pytest.mark.parametrize("idx", [UKRAINE, COLOMBIA], ids=["ukraine", "colombia"])
def test_issues_in_finds_what_searching_every_pattern_finds(idx):
    @given(_texts(idx))
    def check(text):
        assert idx.issues_in(text) == _searched(idx, text)

    check()

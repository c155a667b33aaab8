"""Numeric claims (spec §5 required parses), clean-up signals and hedge flags."""

from __future__ import annotations

import numpy as np
import pytest

from accord.evidence import minhash
from accord.evidence.claims import extract_claims
from accord.evidence.clean import clean, paragraph_key, quality_score
from accord.evidence.hedges import attribution_kind, flag_sentence


@pytest.mark.parametrize(
    "phrase, qtype, value, unit, approx",
    [
        ("more than 20 percent of its territory", "percent", 20, "percent", "more_than"),
        ("an army capped at 600,000", "troops", 600000, "persons", "up_to"),
        ("$100bn in frozen assets", "money", 1e11, "USD", "exact"),
        ("over $180 billion", "money", 1.8e11, "USD", "more_than"),
        ("nearly one in seven", "percent", 100 / 7, "percent", "almost"),
        ("three-quarters", "percent", 75, "percent", "exact"),
        ("5, 10 or 40 km", "distance", [5, 10, 40], "km", "list"),
        ("a two-and-a-half hour call", "duration", 2.5, "hours", "exact"),
        ("30-day ceasefire", "duration", 30, "days", "exact"),
    ],
)
def test_required_parses(phrase, qtype, value, unit, approx):
    claims = extract_claims(phrase)
    assert len(claims) == 1
    c = claims[0]
    assert (c.quantity_type, c.unit, c.approx) == (qtype, unit, approx)
    if isinstance(value, list):
        assert c.value == value
    else:
        assert c.value == pytest.approx(value, rel=1e-9)


def test_claim_offsets_and_referents():
    text = "Officials said the fund holds €210 billion of immobilised assets and 3 km2 was mined."
    claims = extract_claims(text)
    money = [c for c in claims if c.quantity_type == "money"][0]
    assert text[money.start:money.end] == "€210 billion" and money.unit == "EUR" and money.value == 2.1e11
    assert money.referent == "immobilised assets"
    area = [c for c in claims if c.quantity_type == "area"][0]
    assert (area.value, area.unit) == (3.0, "km2")


def test_miles_become_km_and_dates_resolve_with_the_year():
    import datetime as dt

    c = extract_claims("a corridor of 10 miles")[0]
    assert c.value == pytest.approx(16.09344) and c.unit == "km"
    d = extract_claims("sign by November 27", published=dt.date(2025, 11, 21))[0]
    assert (d.iso_date, d.approx, d.referent) == ("2025-11-27", "up_to", "deadline")


def test_paragraph_key_normalises():
    assert paragraph_key("  “Hello,   World!”  ") == "hello,   world".replace("   ", " ")


def test_exact_and_near_duplicates_and_boilerplate():
    para = "The delegation arrived in Geneva on Sunday for talks that lasted well into the night."
    raw = "\n\n".join(["Share this article", para, "Something else entirely, long enough to matter here.",
                       para, para.replace("Sunday", "Sundays")])
    c = clean(raw)
    assert [p.duplicate_of for p in c.paragraphs] == [None, None, None, 1, None]
    assert c.paragraphs[4].near_duplicate_of == 1
    assert c.paragraphs[0].boilerplate == "share this article"
    kinds = sorted(f["kind"] for f in c.flags)
    assert kinds == ["boilerplate", "duplicate_paragraph", "near_duplicate_paragraph"]
    assert c.text.count(para) == 2  # flagged, not dropped


def test_short_paragraphs_are_not_duplicates_and_long_ones_not_boilerplate():
    c = clean("Read more.\n\nRead more.\n\n" + "Click here to see how the talks went, " * 8)
    assert all(p.duplicate_of is None for p in c.paragraphs)
    assert c.paragraphs[2].boilerplate is None


def test_clean_text_offsets_and_mojibake():
    c = clean("First line\r\nSecond â€” line\n")
    assert c.text == "First line\n\nSecond â€” line"
    assert [(p.start, p.end) for p in c.paragraphs] == [(0, 10), (12, 27)]
    assert [f["kind"] for f in c.flags] == ["mojibake"]


def test_minhash_estimates_jaccard():
    a = minhash.word_shingles(" ".join(f"w{i}" for i in range(200)))
    b = minhash.word_shingles(" ".join(f"w{i}" for i in range(100, 300)))
    true = len(a & b) / len(a | b)
    est = minhash.jaccard(minhash.signature(a), minhash.signature(b))
    assert abs(est - true) < 0.12
    assert minhash.jaccard(minhash.signature(a), minhash.signature(set(a))) == 1.0
    assert minhash.signature(set()).dtype == np.uint32


def test_minhash_values_are_those_stored_databases_hold():
    # signatures and LSH bands are stored: a change of the hashing would make every database
    # written before it look new to the near-duplicate and syndication checks
    shingles = minhash.word_shingles("Negotiators from both delegations met in Geneva on Sunday and said "
                                     "the draft framework left security guarantees open")
    assert minhash.signature(shingles)[:6].tolist() == [681451396, 209725697, 143750391, 387720217, 329761971,
                                                        1173314004]
    assert minhash._hash32({"geneva talks resume on monday"}).tolist() == [1684884964]


def test_quality_score_clips():
    assert quality_score({}) == 1.0
    assert quality_score({"boilerplate": 1.0, "mojibake": 1.0}) == pytest.approx(0.85)
    assert quality_score({k: 1.0 for k in ("duplicate_paragraphs", "near_duplicate_paragraphs", "boilerplate",
                                          "mojibake", "corpus_duplicate_paragraphs", "syndicated",
                                          "unattributed_share", "slug_title_mismatch")}) == pytest.approx(0.1)


def test_hedge_and_weasel_flags():
    text = "Critics argue the deal would weaken Kyiv. The plan was reportedly drafted in Miami. Kyiv agreed."
    f1 = flag_sentence(text, 0, 41)
    assert f1.unattributed and "group_says" in f1.weasel_patterns and f1.attribution_kind == "vague"
    f2 = flag_sentence(text, 42, 83)
    assert f2.unattributed and text[f2.hedge_cues[0][0]:f2.hedge_cues[0][1]] == "reportedly"
    assert f2.score == pytest.approx(1 / 5)  # the hedge adverb only
    f3 = flag_sentence("It is believed the talks failed.", 0, 32)
    assert f3.unattributed and f3.score == pytest.approx(3 / 5)  # weasel, passive reporting, expletive subject
    assert flag_sentence(text, 84, 96) is None
    covered = flag_sentence(text, 42, 83, covering_kind="named")
    assert covered is not None and not covered.unattributed


def test_attribution_kinds():
    assert attribution_kind("some analysts", False) == "vague"
    assert attribution_kind("a senior U.S. official", False) == "anonymous_official"
    assert attribution_kind("the Financial Times", False) == "outlet"
    assert attribution_kind("Dmitry Peskov", True) == "named"
    assert attribution_kind("", False) == "none"

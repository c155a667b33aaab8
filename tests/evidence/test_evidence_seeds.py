"""Behaviour on the three seed articles: clean-up flags, quotes, claims and hedges."""

from __future__ import annotations

import json

import duckdb
import pytest

SEED_NAMES = ("000_3cea211d88508d0c.txt", "001_6aac1f1bec0e65c6.txt", "002_893899e172729c6f.txt")


def _q(db, sql, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _article(db, name):
    rows = _q(db, "SELECT id, text FROM articles WHERE source_path LIKE ?", ["%" + name])
    assert len(rows) == 1
    return rows[0]


def test_tripled_paragraph_and_boilerplate_are_flagged(seeds_db):
    aid, text = _article(seeds_db, SEED_NAMES[0])
    flags = _q(seeds_db, "SELECT kind, paragraph, start_char, end_char FROM flags WHERE article_id = ?", [aid])
    near = sorted(p for k, p, _, _ in flags if k in ("near_duplicate_paragraph", "duplicate_paragraph"))
    assert len(near) == 3  # the three trailing copies of the same paragraph
    paras = dict(_q(seeds_db, "SELECT idx, near_duplicate_of FROM paragraphs WHERE article_id = ?", [aid]))
    originals = {paras[i] for i in near}
    assert len(originals) == 1 and originals.pop() < min(near)
    boiler = [text[s:e] for k, _, s, e in flags if k == "boilerplate"]
    assert boiler == ["Table of Contents"]
    # nothing is dropped: the flagged copies are still in the stored text
    assert text.count("affront to their sacrifices") == 4


def test_comment_form_boilerplate_flagged(seeds_db):
    aid, text = _article(seeds_db, SEED_NAMES[1])
    rows = _q(seeds_db, "SELECT start_char, end_char FROM flags WHERE article_id = ? AND kind = 'boilerplate'", [aid])
    flagged = [text[s:e] for s, e in rows]
    assert "Leave a Reply" in flagged
    assert any(f.startswith("Your email address will not be published") for f in flagged)
    quality = json.loads(_q(seeds_db, "SELECT quality FROM articles WHERE id = ?", [aid])[0][0])
    assert quality["boilerplate"] is True and 0 <= quality["score"] < 1


def _direct_quotes(db, name):
    aid, text = _article(db, name)
    rows = _q(db, "SELECT kind, content_text, speaker, source_actor_id, content FROM quotes WHERE article_id = ?", [aid])
    for _, _, _, _, content in rows:
        for sp in json.loads(content):
            assert text[sp["start"]:sp["end"]] == sp["text"]
    return rows


@pytest.mark.parametrize(
    "seed, opening, speaker, actor",
    [
        (0, "“It’s utterly ridiculous", "Lysenko", None),
        (0, "“People have given their lives", "Lysenko", None),
        (0, "“He just mentioned it", "Lysenko", None),
        (0, "“People are weary", "Hrushetskyi", None),
        (2, "‘We don’t negotiate", "Kots", "ukraine"),
    ],
)
def test_every_direct_quote_has_its_speaker(seeds_db, seed, opening, speaker, actor):
    rows = _direct_quotes(seeds_db, SEED_NAMES[seed])
    hits = [r for r in rows if r[1].startswith(opening)]
    assert hits, f"no quote opening with {opening!r}"
    kind, content, who, actor_id, _ = hits[0]
    assert kind == "direct"
    assert speaker in (who or "")
    assert actor_id == actor


def test_multi_paragraph_quote_spans_the_break(seeds_db):
    rows = _direct_quotes(seeds_db, SEED_NAMES[2])
    kots = [r for r in rows if r[1].startswith("‘We don’t negotiate")][0]
    assert "\n\n" in kots[1] and kots[1].endswith("fight.’")


def test_mixed_quote_of_the_kremlin_spokesman(seeds_db):
    rows = _direct_quotes(seeds_db, SEED_NAMES[2])
    peskov = [r for r in rows if "megaphone negotiations" in r[1]]
    assert peskov and peskov[0][0] == "mixed"
    assert "Peskov" in peskov[0][2] and peskov[0][3] == "russia"


def _claims(db):
    return _q(db, "SELECT text, quantity_type, value, \"values\", unit, approx, referent, iso_date, hedged "
                  "FROM claims")


def _find(claims, text):
    hits = [c for c in claims if c[0] == text]
    assert hits, f"claim {text!r} not extracted; have {[c[0] for c in claims]}"
    return hits[0]


def test_numeric_claims_of_the_seeds(seeds_db):
    cl = _claims(seeds_db)
    assert _find(cl, "41%")[1:3] == ("percent", 41.0)
    assert _find(cl, "21%")[1:3] == ("percent", 21.0)
    c = _find(cl, "50%")
    assert c[2] == 50.0 and "mineral revenues" in c[6]
    c = _find(cl, "nearly 40%")
    assert (c[2], c[5]) == (40.0, "almost") and "defense resources" in c[6]
    c = _find(cl, "80%")
    assert c[2] == 80.0 and "electricity generation" in c[6]
    c = _find(cl, "less than 20 kilometers")
    assert (c[1], c[2], c[4], c[5]) == ("distance", 20.0, "km", "less_than")
    c = _find(cl, "over 1,000 kilometers")
    assert (c[1], c[2], c[4], c[5]) == ("distance", 1000.0, "km", "more_than")
    c = _find(cl, "28 points")
    assert (c[1], c[2], c[4]) == ("count", 28.0, "points")
    c = _find(cl, "by November 27")
    assert (c[1], c[5], c[6]) == ("date", "up_to", "deadline") and c[7].endswith("11-27")


def test_reported_and_vague_claims_flagged(seeds_db):
    aid, text = _article(seeds_db, SEED_NAMES[2])
    rows = _q(seeds_db, "SELECT start_char, end_char, unattributed, weasel_patterns, detail FROM flags "
                        "WHERE article_id = ? AND kind IN ('unattributed_claim', 'hedged_sentence')", [aid])
    flagged = {text[s:e]: (u, json.loads(w), d) for s, e, u, w, d in rows}
    analysts = [v for k, v in flagged.items() if "some analysts" in k]
    assert analysts and analysts[0][0] is True and "by_vague_agent" in analysts[0][1]
    reportedly = [v for k, v in flagged.items() if "reportedly outlined in 28 points" in k]
    assert reportedly and reportedly[0][0] is True and "hedge_adverb" in reportedly[0][2]
    assert any(k.startswith("Allegations of corruption") for k in flagged)
    # the claim inside the 'reportedly' sentence carries the flag
    assert _find(_claims(seeds_db), "28 points")[8] is True
    # a plainly attributed sentence is not flagged
    assert not any(k.startswith("Russian President Vladimir Putin") for k in flagged)


def test_reportedly_flagged_in_the_truce_article(seeds_db):
    aid, text = _article(seeds_db, SEED_NAMES[1])
    rows = _q(seeds_db, "SELECT start_char, end_char FROM flags WHERE article_id = ? AND unattributed", [aid])
    flagged = [text[s:e] for s, e in rows]
    assert sum("reportedly" in f for f in flagged) == 2


def test_every_stored_span_matches_the_article_text(seeds_db):
    texts = dict(_q(seeds_db, "SELECT id, text FROM articles"))
    for table, cols in (("mentions", "start_char, end_char, surface"), ("claims", "start_char, end_char, text"),
                        ("statements", "sentence_start, sentence_end, sentence_text"),
                        ("quotes", "cue_start, cue_end, cue_text")):
        for aid, s, e, t in _q(seeds_db, f"SELECT article_id, {cols} FROM {table}"):
            assert texts[aid][s:e] == t, table
    versions = _q(seeds_db, "SELECT DISTINCT extractor_version FROM quotes")
    assert len(versions) == 1 and versions[0][0]


def test_reingesting_the_seeds_adds_nothing(seeds_db, seeds_dir, small_scenario):
    from accord.evidence.ingest import ingest_paths

    report = ingest_paths([seeds_dir], seeds_db, small_scenario)
    assert report.articles_added == 0 and report.articles_existing == 3
    assert {k: v for k, v in report.rows_added.items() if k != "runs"} == dict.fromkeys(
        [k for k in report.rows_added if k != "runs"], 0)

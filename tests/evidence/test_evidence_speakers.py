"""Linking speakers to scenario actors by alias, title, dated role and demonym (spec §3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from accord.evidence.speakers import ActorRegistry

CASE = Path(__file__).resolve().parents[2] / "src" / "accord" / "cases" / "ukraine" / "scenario.yaml"

EXPECTED = [
    ("Zelensky", "ukraine"), ("Zelenskyy", "ukraine"), ("Kyiv", "ukraine"), ("the Ukrainian president", "ukraine"),
    ("Peskov", "russia"), ("Ushakov", "russia"), ("the Kremlin", "russia"), ("Putin", "russia"),
    ("Lavrov", "russia"), ("Trump", "united_states"), ("Witkoff", "united_states"), ("Rubio", "united_states"),
    ("Washington", "united_states"), ("the White House", "united_states"), ("Macron", "europe"),
    ("Merz", "europe"), ("Starmer", "europe"), ("Kallas", "europe"), ("the E3", "europe"), ("Brussels", "europe"),
    ("President Vladimir Putin", "russia"), ("Kremlin spokesman Dmitry Peskov", "russia"),
    ("Ukrainian Foreign Policy Adviser Mykhailo Kots", "ukraine"), ("Russian officials", "russia"),
    ("Yuri Ushakov, a senior advisor to President Putin", "russia"),
]


@pytest.fixture(scope="module")
def registry() -> ActorRegistry:
    if not CASE.is_file():
        pytest.skip("the bundled Ukraine scenario is absent")
    from accord.scenario.io import load_scenario

    return ActorRegistry.from_scenario(load_scenario(CASE))


@pytest.mark.parametrize("mention, actor", EXPECTED)
def test_bundled_case_links(registry, mention, actor):
    assert registry.link(mention, dt.date(2025, 11, 25)).actor_id == actor


@pytest.mark.parametrize("mention", ["Anton Hrushetskyi, director of the Kyiv International Institute for Sociology",
                                     "Maksym Lysenko", "political analyst Mikhail Alexseev", "surveys", ""])
def test_non_actors_stay_unlinked(registry, mention):
    assert registry.link(mention).actor_id is None


def test_dated_roles_and_methods(small_scenario):
    reg = ActorRegistry.from_scenario(small_scenario)
    assert reg.link("Zelensky").method == "alias"
    assert reg.link("President Zelensky").method == "title"
    assert reg.link("the president of Ukraine", dt.date(2025, 1, 1)).method == "role_dated"
    # before the holder took office the role does not apply; the country name still links the state
    assert reg.link("the president of Ukraine", dt.date(2018, 1, 1)).method == "title"
    assert reg.link("Ukrainian officials").actor_id == "ukraine"
    assert ActorRegistry.from_scenario(None).link("Putin").actor_id is None

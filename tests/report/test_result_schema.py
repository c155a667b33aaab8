"""The typed run result: its published JSON Schema cannot drift, and its JSON form round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accord.errors import InputError
from accord.result import RunResult, load_result, result_schema

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "run_result.json"


def test_published_schema_is_the_models_schema() -> None:
    published = json.loads((ROOT / "docs" / "result-schema.json").read_text(encoding="utf-8"))
    assert published == result_schema()
    assert published["required"] == list(RunResult.model_fields)  # serialised results always hold every part


def test_the_fixture_round_trips_through_json() -> None:
    result = load_result(json.loads(FIXTURE.read_text(encoding="utf-8")))
    again = RunResult.model_validate_json(result.model_dump_json())
    assert again == result
    assert again.forecasts_at()["compromise"]["nato"] == result.forecasts[0].values["compromise"]["nato"]
    assert again.forecasts_at("1999-01-01") == {}


def test_unknown_fields_are_errors_naming_them() -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data["simulation"]["summaries"]["bdm"]["nato"]["q10"] = 3.0
    with pytest.raises(InputError) as err:
        load_result(data)
    assert err.value.field == "simulation.summaries.bdm.nato.q10"
    with pytest.raises(InputError) as err:
        load_result([1, 2])
    assert err.value.field == "result"

"""The model registry's entries: declared parameter defaults match the model functions."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from accord.models.issue import IssueData
from accord.models.registry import forecast, get, label, names


@pytest.mark.parametrize("model", names())
def test_declared_defaults_are_those_of_the_functions(model: str) -> None:
    spec = get(model)
    for form in (spec.load(), spec.load_batched()):
        if form is None:
            continue
        signature = inspect.signature(form)
        for p in spec.params:
            if p.name in signature.parameters:
                assert signature.parameters[p.name].default == p.default, (model, p.name)
            else:
                assert p.default is None, (model, p.name)  # tuned-only keywords (BDM stop rule)


def test_variants_are_presets_of_one_entry() -> None:
    assert get("compromise-salience").defaults() == {"weights": "salience"}
    assert get("median").defaults() == {"weights": "unweighted", "tau": 0.5}
    assert get("compromise-salience").single == get("compromise").single
    issues = [IssueData("i", ("a", "b", "c"), np.array([0.0, 40.0, 100.0]), np.array([0.9, 0.2, 0.5]), np.array([1.0, 3.0, 2.0]))]
    assert forecast(issues, "compromise-salience").forecasts == {
        k: type(v)(v.issue, "compromise-salience", v.value, v.params, v.flags, v.details)
        for k, v in forecast(issues, "compromise", weights="salience").forecasts.items()
    }


def test_labels_and_short_names_are_unique() -> None:
    specs = [get(n) for n in names()]
    assert len({s.label for s in specs}) == len(specs)
    assert len({s.short for s in specs}) == len(specs)
    assert label("bdm") == "Expected utility (BDM)"
    assert label("not-registered") == "Not registered"

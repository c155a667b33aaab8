"""Reloading the spaCy pipeline during a long ingest frees the one it drops."""

import gc

from thinc.model import Model

from accord.evidence.nlp import get_nlp, reload_nlp


def _models() -> int:
    return sum(isinstance(o, Model) for o in gc.get_objects())


def test_a_reload_frees_the_dropped_pipeline():
    nlp = get_nlp()
    list(nlp.pipe(["Moscow rejected the plan, officials said.", "Kyiv said talks would resume."]))
    loaded = _models()
    del nlp
    reload_nlp()
    assert loaded > 0 and _models() == 0
    fresh = get_nlp()
    assert fresh("Talks resumed.")[0].text == "Talks"
    assert _models() > 0

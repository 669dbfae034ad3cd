"""The result protocol: notes, recorded warnings, explanations, impact results."""

import warnings

import pandas as pd

from keino_metrics.results import Explanation, Note, Result, recorded_notes


def test_recorded_notes_keep_each_distinct_warning_once_and_silence_nothing():
    notes: list[Note] = []
    with recorded_notes(notes, "model"):
        for _ in range(3):
            warnings.warn("did not converge", RuntimeWarning, stacklevel=1)
        warnings.warn("singular matrix", UserWarning, stacklevel=1)
    assert notes == [Note("warning", "RuntimeWarning: did not converge", "model"),
                     Note("warning", "UserWarning: singular matrix", "model")]
    assert str(notes[0]) == "warning [model]: RuntimeWarning: did not converge"


def test_explanation_prints_as_text_and_displays_as_html():
    e = Explanation("X-1 - Name\n  (Nimi / Namn)\n\nDefinition: a < b")
    assert repr(e) == str(e) and e.startswith("X-1")
    h = e._repr_html_()
    assert "<h4>X-1 - Name</h4>" in h and "<th style='text-align:left'>Definition</th>" in h
    assert "a &lt; b" in h


class _Toy(Result):
    notes = (Note("warning", "w"),)

    def to_frame(self):
        return pd.DataFrame({"period": [1], "std_error": [0.1], "estimate": [0.5]})

    def summary(self, lang="en"):
        return "toy result"


def test_result_mixin_gives_tidy_columns_repr_and_html():
    t = _Toy()
    assert list(t.tidy().columns) == ["estimate", "std_error", "period"]
    assert repr(t) == "_Toy\ntoy result\n(1 note(s); see .notes)"
    assert "<li>warning: w</li>" in t._repr_html_()


import string

import pytest

from keino_metrics import labels


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_finnish_and_swedish_have_the_same_keys():
    assert labels.keys("fi") == labels.keys("sv")


def test_placeholders_agree_across_languages():
    fi, en, sv = (labels.catalogue(x) for x in ("fi", "en", "sv"))
    for key in en:
        assert _fields(fi[key]) == _fields(en[key]), key
        assert _fields(sv[key]) == _fields(en[key]), key


def test_swedish_is_its_own_language():
    assert labels.text("section.summary", "sv") == "Sammanfattning"
    assert labels.text("text.no_data", "sv", year=2020) == "Inga data för 2020."


def test_text_fills_placeholders_and_names_missing_keys():
    assert "2025" in labels.text("report.title", "fi", year=2025)
    with pytest.raises(KeyError, match="no 'fi' text for label key 'nope'"):
        labels.text("nope", "fi")
    with pytest.raises(ValueError, match="language"):
        labels.catalogue("de")


def test_demo_mark_is_in_the_language_of_the_page():
    marks = {lang: labels.text("report.demo_mark", lang) for lang in labels.LANGUAGES}
    assert marks == {"fi": "DEMOAINEISTO", "sv": "DEMODATA", "en": "DEMO DATA"}


def test_english_keys_are_in_every_language_and_indicator_texts_in_fi_and_sv():
    en, fi, sv = (labels.keys(x) for x in ("en", "fi", "sv"))
    assert en <= fi and fi == sv
    assert {k for k in fi - en if not k.startswith("indicator.")} == set()


def test_every_indicator_text_is_translated():
    from keino_metrics.indicators import registry

    for ind in registry.all_indicators():
        for field in ("definition", "limits", "reference_values", "source", "threshold_source"):
            english = registry.indicator_text(ind, field, "en")
            for lang in ("fi", "sv"):
                assert bool(registry.indicator_text(ind, field, lang)) == bool(english), (
                    ind.id, field, lang)


def test_notes_are_written_again_in_the_language_asked_for():
    msg = ("low coverage: 42% of units report the fields needed; "
           "fence 3.5 CPV divisions over 20 winners; 2 flagged")
    assert labels.translate(msg, "note", "en") == msg
    assert labels.translate(msg, "note", "sv") == (
        "låg täckning: 42% av enheterna rapporterar de fält som behövs; "
        "gräns 3.5 CPV-avdelningar över 20 vinnare; 2 flaggade")
    assert labels.translate("something else", "note", "fi") == "something else"

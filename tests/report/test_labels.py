import re
import string

import pytest

from keino_metrics.report import labels


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_finnish_and_english_have_the_same_keys():
    assert labels.keys("fi") == labels.keys("en")


def test_placeholders_agree_across_languages():
    fi, en, sv = (labels.catalogue(x) for x in ("fi", "en", "sv"))
    for key in en:
        assert _fields(fi[key]) == _fields(en[key]), key
        assert _fields(sv[key]) == _fields(en[key]), key


def test_swedish_falls_back_to_english():
    assert labels.text("section.summary", "sv") == "Sammanfattning"
    assert labels.text("text.no_data", "sv", year=2020) == labels.text("text.no_data", "en",
                                                                         year=2020)


def test_text_fills_placeholders_and_names_missing_keys():
    assert "2025" in labels.text("report.title", "fi", year=2025)
    with pytest.raises(KeyError, match="no 'fi' text for label key 'nope'"):
        labels.text("nope", "fi")
    with pytest.raises(ValueError, match="language"):
        labels.catalogue("de")


def test_demo_mark_is_bilingual_everywhere():
    for lang in labels.LANGUAGES:
        assert re.search("DEMO DATA.*DEMOAINEISTO", labels.text("report.demo_mark", lang))

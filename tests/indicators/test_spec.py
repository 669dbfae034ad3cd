"""Indicator records: names come from the language catalogue."""

from __future__ import annotations

import dataclasses

import pytest

from keino_metrics import labels
from keino_metrics.indicators import get
from keino_metrics.indicators.registry import all_indicators

#: Ids whose Finnish or Swedish name may equal the English one because the
#: name is a proper name or a code. None does today; add an id here only with
#: that reason.
SAME_IN_EVERY_LANGUAGE: frozenset[str] = frozenset()


def _name_keys(lang: str) -> set[str]:
    prefix = "indicator_name."
    return {k[len(prefix):] for k in labels.keys(lang) if k.startswith(prefix)}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_id_has_a_name_and_every_name_an_id(lang):
    registered = {ind.id for ind in all_indicators()}
    named = _name_keys(lang)
    assert registered - named == set(), f"ids without a {lang} name"
    assert named - registered == set(), f"{lang} names of ids that do not exist"
    empty = [i for i in registered if not labels.text(f"indicator_name.{i}", lang).strip()]
    assert empty == []


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_finnish_and_swedish_names_are_translated(lang):
    same = [ind.id for ind in all_indicators()
            if ind.id not in SAME_IN_EVERY_LANGUAGE
            and ind.name(lang).casefold() == ind.name("en").casefold()]
    assert same == []


def test_name_reads_the_catalogue_in_the_language_asked_for():
    sms01 = get("SMS-01")
    assert sms01.name("fi") == "Yhden tarjoajan kilpailutukset"
    assert sms01.name("sv") == labels.text("indicator_name.SMS-01", "sv")
    assert sms01.name() == sms01.name("en") == "Single bidder"
    with pytest.raises(ValueError, match="unknown language 'de'"):
        sms01.name("de")


def test_a_record_without_a_catalogue_name_names_the_missing_key():
    stray = dataclasses.replace(get("SMS-01"), id="SMS-99")
    with pytest.raises(KeyError, match="indicator_name.SMS-99"):
        stray.name("sv")

import pytest

from keino_metrics import codelists


def test_labels_in_three_languages():
    assert codelists.label("strategic-procurement", "inn-pur", "en") == "Innovative purchase"
    assert codelists.label("strategic-procurement", "inn-pur", "fi") == "Innovatiiviset hankinnat"
    assert codelists.label("contract-nature", "works", "sv") == "Byggentreprenader"


def test_retired_codes_are_accepted_but_not_current():
    assert "emas-com" in codelists.accepted_codes("environmental-impact")
    assert "emas-com" not in codelists.codes("environmental-impact")
    assert {"buy-eff", "fp-requ"} <= codelists.accepted_codes("innovative-acquisition")
    assert codelists.codes("gpp-criteria") == {"eu", "national", "other", "none"}


def test_unknown_list_and_language():
    with pytest.raises(KeyError, match="unknown code list"):
        codelists.table("no-such-list")
    with pytest.raises(ValueError, match="lang"):
        codelists.label("contract-nature", "works", "de")
    assert codelists.label("contract-nature", "unknown-code") == "unknown-code"

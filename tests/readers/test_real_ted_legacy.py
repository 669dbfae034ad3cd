"""The legacy TED reader against what real files say (read independently).

Every real legacy file (the 70 samples in ``data/raw/samples/ted-legacy``,
the R2.0.9 notices collected in ``tests/fixtures/real/ted-legacy`` and the
R2.0.8 notices in ``tests/fixtures/real/ted-legacy-r208``) is read twice:
by ``km.read`` and by :mod:`tests.readers.legacy_truth`, plain lxml code that
does not use the reader. Notice id, notice type, procedure type, buyer
country, lots and their CPV, the lot each award joins, and per lot result the
award status, tender counts, value and currency, winners and the first winner's size must
agree. At most 3 % of the files may be refused whole, each for a reason
listed here.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import keino_metrics as km
from tests.readers import legacy_truth as truth

#: Files refused whole on purpose, with the reason the quarantine must give.
REFUSED: dict[str, str] = {}


@pytest.fixture(scope="module")
def data():
    return km.read([str(d) for d in truth.FOLDERS], workers=1)


@pytest.fixture(scope="module")
def expected():
    return {p.name: truth.read(p) for p in truth.files()}


def _same(a, b) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return (a is None or (isinstance(a, float) and math.isnan(a))) and b is None
    if isinstance(b, float):
        return math.isclose(float(a), b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b


def _value(v):
    """A value from a pandas row as a plain Python value (NA -> None)."""
    if not isinstance(v, list) and pd.isna(v):
        return None
    return v.item() if hasattr(v, "item") else v


def test_enough_real_files(expected):
    assert len(expected) >= 90
    collected = list(truth.FOLDERS[1].glob("*.xml"))
    assert len(collected) >= 20
    forms = {n.form for n in expected.values()}
    assert {"F03", "F06", "F15", "F21", "F22", "F25"} <= forms
    assert len({n.buyer_country for n in expected.values()}) >= 10
    # several notices with awards that name more than one lot, or odd LOT_NO
    multi = [n.file for n in expected.values()
             if any(len(truth.lot_numbers_of(a.ref) or []) > 1 for a in n.awards)]
    assert len(multi) >= 2, multi


def test_enough_real_r208_files(data, expected):
    """Real R2.0.8 notices: award notices of several countries and a contract
    notice, all read as R2.0.8."""
    names = {p.name for p in truth.FOLDERS[2].glob("*.xml")}
    r208 = [n for name, n in expected.items() if name in names]
    assert len(r208) >= 8
    assert sum(n.notice_type == "can" for n in r208) >= 5
    assert any(n.notice_type == "cn" for n in r208)
    assert len({n.buyer_country for n in r208}) >= 5
    versions = data.notices.set_index("notice_id")["schema_version"]
    assert {versions[n.notice_id] for n in r208} == {"R2.0.8"}
    # awards numbered by lot, several per notice
    assert sum(len(truth.lot_results(n)) > 1 for n in r208) >= 2


def test_refused_files_are_few_and_explained(data, expected):
    refused = {q.split("!")[-1].rsplit("/", 1)[-1]: r
               for q, r in zip(data.quarantine["source_file"], data.quarantine["reason"],
                               strict=True)}
    assert len(refused) <= 0.03 * len(expected)
    assert refused == REFUSED


def test_every_field_agrees_with_the_files(data, expected):
    notices = data.notices.set_index("notice_id")
    buyers = data.buyers.drop_duplicates("buyer_id").set_index("buyer_id")
    lots = data.lots.set_index(["notice_id", "lot_id"])
    awards = data.awards.set_index(["notice_id", "lot_id"])
    mismatches = []

    def check(where, what, got, want):
        if not _same(_value(got), want):
            mismatches.append((where, what, _value(got), want))

    for name, n in expected.items():
        if name in REFUSED:
            continue
        row = notices.loc[n.notice_id]
        check(name, "notice_type", row["notice_type"], n.notice_type)
        check(name, "procedure_type", row["procedure_type"], n.procedure_type)
        check(name, "buyer country", buyers.loc[row["buyer_id"], "country"], n.buyer_country)
        got_lots = set(lots.loc[n.notice_id].index) if n.notice_id in lots.index else set()
        check(name, "lots", sorted(got_lots), sorted(n.lots))
        for lot in n.lots:
            if lot in got_lots:
                check(name, f"cpv {lot}", lots.loc[(n.notice_id, lot), "cpv_main"], n.cpv)
        results = truth.lot_results(n)
        got_results = (set(awards.loc[n.notice_id].index) if n.notice_id in awards.index
                       else set())
        check(name, "lot results", sorted(got_results), sorted(results))
        for lot, r in results.items():
            # every award joins a lot of the notice, or one its procedure's notices number
            if lot not in n.lots and not lot.startswith("LOT-"):
                mismatches.append((name, f"award joins no lot: {lot}", None, None))
            if lot not in got_results:
                continue
            a = awards.loc[(n.notice_id, lot)]
            check(name, f"{lot} winner_chosen", a["winner_chosen"], r["awarded"])
            check(name, f"{lot} tenders", a["tenders_received"], r["tenders"])
            check(name, f"{lot} sme tenders", a["sme_tenders_received"], r["sme"])
            check(name, f"{lot} value", a["awarded_value"], r["value"])
            check(name, f"{lot} currency", a["awarded_value_currency"], r["currency"])
            check(name, f"{lot} winners", a["winners"], r["n_winners"])
            check(name, f"{lot} winner size", a["winner_size"],
                  {True: "sme", False: "large"}.get(r["sme_winner"]))
    assert mismatches == [], mismatches[:20]


def test_awards_join_lots(data, expected):
    """Every award row joins a lot row of its notice (the failure this reader had)."""
    joined = data.awards.merge(data.lots[["notice_id", "lot_id"]], how="left",
                               on=["notice_id", "lot_id"], indicator=True)
    unjoined = joined[joined["_merge"] != "both"][["notice_id", "lot_id"]]
    assert unjoined.empty, unjoined
    assert len(data.awards) == sum(len(truth.lot_results(n)) for n in expected.values())


def test_odd_lot_numbers_are_reported_as_field_issues(data):
    issues = data.field_issues
    assert set(issues["action"]) <= {"normalised", "kept_raw", "nulled", "ignored"}
    listed = issues[issues["reason"].str.startswith("a list or range of lots")]
    assert {"270492-2019", "158170-2018"} <= set(listed["record"])
    by_title = issues[issues["reason"].str.startswith("the title of a lot")]
    assert set(by_title["value"]) == {"Seine-et-Marne Sud", "Essonne Est (Corbeil)",
                                      "Essonne Ouest (Les Ulis)"}
    acc = data.accounting
    assert (acc["rows_in"] == acc["rows_accepted"] + acc["rows_quarantined"]).all()
    assert acc["field_issues"].sum() == len(issues)

"""Real OCDS files of many publishers, read by the reader and checked by independent code.

The files in ``tests/fixtures/real/ocds/`` are real published releases and
records (see ``SOURCE.md`` there). For every release the code here extracts,
with plain :mod:`json` and the canonical mapping rules of ``docs/readers.md``
(section *OCDS*), what the reader must produce, and compares:

* accepted or quarantined: a release is quarantined only when it names no
  buyer at all (no ``buyer``, no party with role ``buyer``, no
  ``tender.procuringEntity``);
* notice id (``id``, or ``ocid/id`` when the id lacks the ocid) and procedure id;
* procedure type from ``tender.procurementMethod`` (open ``open``, selective
  ``restricted``, limited and direct ``neg-wo-call``; any other text: none);
* lots: ``tender.lots`` ids (numbers as ``LOT-0001``), else one implicit lot
  ``LOT-0000`` when the release has a tender or awards;
* lot results: for a result release (tag award, awardUpdate, contract or
  contractUpdate with awards, compiled or untagged with awards, or tender or
  planning with an award of status active or unsuccessful), one row per lot
  named by the awards that are not cancelled; the number of winners (awards
  with suppliers), the winner (its identifier's ``id`` or its party id), the
  awarded value summed per lot and its currency, and the tender count
  (``numberOfTenderers`` when the tender has one lot);
* the estimated value and currency of each lot (``lot.value``), or of a tender
  without lots (``tender.value``);
* the main CPV code (first item id under the CPV scheme with eight digits, or
  seven digits whose leading zero was lost; other ids are not CPV codes);
* an award that repeats the id of an earlier award of the same release is
  read once;
* the buyer's country (``address.countryName`` as a two-letter code or an
  English country name).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

import keino_metrics as km

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "real" / "ocds"
FILES = sorted(p for p in HERE.glob("*.json"))

_METHODS = {"open": "open", "selective": "restricted", "limited": "neg-wo-call",
            "direct": "neg-wo-call"}
_RESULT_TAGS = {"award", "awardUpdate", "contract", "contractUpdate"}
_OTHER_TAGS = {"planning", "planningUpdate", "tender", "tenderAmendment", "tenderUpdate",
               "tenderCancellation", "awardCancellation", "contractAmendment",
               "implementation", "implementationUpdate", "contractTermination"}
#: Files refused whole, with the reason the reader must give.
REFUSED: dict[str, str] = {}


# -- independent extraction ---------------------------------------------------

def _releases(doc: object) -> list[tuple[dict, bool]]:
    """``(release, compiled)`` for every release or record of a document."""
    if isinstance(doc, dict) and isinstance(doc.get("releases"), list) and "ocid" not in doc:
        return [(r, False) for r in doc["releases"]]
    if isinstance(doc, dict) and isinstance(doc.get("records"), list):
        return [(r["compiledRelease"], True) for r in doc["records"]]
    return [(doc, False)]


def _text(v: object) -> str | None:
    if v is None or isinstance(v, dict | list):
        return None
    v = str(v).strip()
    return v or None


def _lot(raw: str) -> str:
    return f"LOT-{int(float(raw)):04d}" if re.fullmatch(r"\d+(\.0+)?", raw) else raw


def _tags(rel: dict) -> set[str]:
    t = rel.get("tag")
    t = [t] if isinstance(t, str) else (t if isinstance(t, list) else [])
    return {x for x in t if isinstance(x, str) and x.casefold() in
            {k.casefold() for k in _RESULT_TAGS | _OTHER_TAGS | {"compiled"}}}


def _is_result(rel: dict, compiled: bool) -> bool:
    awards = [a for a in rel.get("awards") or [] if isinstance(a, dict)]
    tags = _tags(rel)
    if not awards:
        return False
    first_result = tags & _RESULT_TAGS
    amendments = tags & {"contractAmendment", "tenderAmendment", "tenderUpdate",
                         "tenderCancellation", "awardCancellation"}
    if compiled or "compiled" in tags or not tags:
        return True
    if amendments:
        return False
    if first_result:
        return True
    decided = any(a.get("status") in ("active", "unsuccessful") for a in awards)
    return bool(tags & {"tender", "planning", "planningUpdate"}) and decided


def _has_buyer(rel: dict) -> bool:
    if isinstance(rel.get("buyer"), dict) and rel["buyer"]:
        return True
    if any("buyer" in (p.get("roles") or []) for p in rel.get("parties") or []
           if isinstance(p, dict)):
        return True
    return isinstance((rel.get("tender") or {}).get("procuringEntity"), dict)


def _cpv(items: list) -> str | None:
    for it in items:
        if not isinstance(it, dict):
            continue
        for cl in [it.get("classification"), *(it.get("additionalClassifications") or [])]:
            if isinstance(cl, dict) and str(cl.get("scheme", "")).upper() == "CPV":
                head = str(cl.get("id", "")).strip().split("-")[0].split(".")[0]
                digits = "".join(ch for ch in head if ch.isdigit())
                if len(digits) in (7, 8):
                    return digits.rjust(8, "0")
    return None


def _country(rel: dict) -> str | None:
    from babel import Locale

    parties = {p.get("id"): p for p in rel.get("parties") or [] if isinstance(p, dict)}
    ref = rel.get("buyer") if isinstance(rel.get("buyer"), dict) else {}
    party = parties.get(ref.get("id")) or next(
        (p for p in parties.values() if "buyer" in (p.get("roles") or [])), None) or ref
    if not party:
        party = (rel.get("tender") or {}).get("procuringEntity") or {}
    name = _text((party.get("address") or {}).get("countryName"))
    if name is None:
        return None
    if len(name) == 2:
        return name.upper()
    names = {v.casefold(): k for k, v in Locale("en").territories.items() if len(k) == 2}
    return names.get(name.casefold())


def expected(path: Path) -> list[dict]:
    """What the reader must make of each release of ``path``."""
    out = []
    for rel, compiled in _releases(json.loads(path.read_text(encoding="utf-8"))):
        ocid, rid = _text(rel.get("ocid")), _text(rel.get("id"))
        notice_id = rid if ocid in rid else f"{ocid}/{rid}"
        exp = {"notice_id": notice_id, "procedure_id": ocid, "accepted": _has_buyer(rel)}
        tender = rel.get("tender") if isinstance(rel.get("tender"), dict) else {}
        method = _text(tender.get("procurementMethod"))
        exp["procedure_type"] = _METHODS.get(method.casefold()) if method else None
        awards = [a for a in rel.get("awards") or [] if isinstance(a, dict)]
        result = _is_result(rel, compiled)
        tlots = [lt for lt in tender.get("lots") or [] if isinstance(lt, dict)]
        if tlots:
            lots = {_lot(str(lt["id"])) for lt in tlots}
        elif tender or (awards and result):
            lots = {"LOT-0000"}
        else:
            lots = set()
        exp["lots"] = lots
        exp["lot_values"] = {}
        for lt in tlots:
            v = lt.get("value") if isinstance(lt.get("value"), dict) else {}
            amount = v.get("amount") if isinstance(v.get("amount"), int | float) else None
            exp["lot_values"][_lot(str(lt["id"]))] = (
                amount, _text(v.get("currency")) if amount is not None else None)
        items = tender.get("items") or [i for a in (awards if result else [])
                                         for i in a.get("items") or []]
        exp["cpv"] = _cpv(items) if lots else None
        value = tender.get("value") if isinstance(tender.get("value"), dict) else {}
        if len(tlots) == 1:
            value = tlots[0].get("value") if isinstance(tlots[0].get("value"), dict) else {}
        exp["estimated"] = (value.get("amount"), _text(value.get("currency"))) \
            if len(lots) == 1 and isinstance(value.get("amount"), int | float) \
            else (None, None)
        rows: dict[str, dict] = {}
        if result:
            seen = set()
            for a in awards:
                key = _text(a.get("id"))
                if key is not None and key in seen:
                    continue
                seen.add(key)
                if a.get("status") == "cancelled":
                    continue
                named = [_lot(str(x)) for x in a.get("relatedLots") or []] or sorted(lots)
                suppliers = [s for s in a.get("suppliers") or [] if isinstance(s, dict)]
                val = a.get("value") if isinstance(a.get("value"), dict) else {}
                amount = val.get("amount") if isinstance(val.get("amount"), int | float) \
                    else None
                for lot in named:
                    row = rows.setdefault(lot, {"winners": 0, "value": None, "currency": None,
                                                "supplier": None})
                    row["winners"] += 1 if suppliers else 0
                    if suppliers and row["supplier"] is None:
                        row["supplier"] = suppliers[0]
                    if amount is not None:
                        row["value"] = (row["value"] or 0) + amount / len(named)
                        row["currency"] = _text(val.get("currency"))
        n = tender.get("numberOfTenderers")
        for row in rows.values():
            row["tenders"] = n if isinstance(n, int) and len(lots) == 1 else None
        exp["awards"] = rows
        exp["country"] = _country(rel)
        out.append(exp)
    return out


# -- comparison ---------------------------------------------------------------

@pytest.fixture(scope="module")
def data():
    return km.read(HERE, workers=1, progress=False)


def _same(a: object, b: object) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _winner_matches(supplier: dict | None, parties: dict, winner: object) -> bool:
    if supplier is None:
        return winner is None or pd.isna(winner)
    party = parties.get(supplier.get("id")) or supplier
    ident = party.get("identifier") if isinstance(party.get("identifier"), dict) else {}
    reg = _text(ident.get("id"))
    if reg:
        return str(winner).replace(" ", "").endswith(re.sub(r"\s+", "", reg))
    return str(winner) == str(party.get("id"))


def mismatches(path: Path, ds) -> list[str]:
    """Every difference between the reader's tables and the independent extraction."""
    src = str(path)
    notices = ds.notices[ds.notices["source_file"] == src].set_index("notice_id")
    mine = set(notices.index)
    lots = ds.lots[ds.lots["notice_id"].isin(mine)]
    awards = ds.awards[ds.awards["notice_id"].isin(mine)]
    buyers = ds.buyers.set_index("buyer_id")
    out = []
    doc = json.loads(path.read_text(encoding="utf-8"))
    rels = {}
    for rel, _ in _releases(doc):
        ocid, rid = _text(rel.get("ocid")), _text(rel.get("id"))
        rels[rid if ocid in rid else f"{ocid}/{rid}"] = rel
    for exp in expected(path):
        nid = exp["notice_id"]
        if not exp["accepted"]:
            q = ds.quarantine[(ds.quarantine["source_file"] == src)
                              & (ds.quarantine["field"] == "buyer")]
            if q.empty:
                out.append(f"{nid}: expected in quarantine for lack of a buyer")
            if nid in mine:
                out.append(f"{nid}: read although it names no buyer")
            continue
        if nid not in mine:
            out.append(f"{nid}: not read")
            continue
        n = notices.loc[nid]
        for col, want in (("procedure_id", exp["procedure_id"]),
                          ("procedure_type", exp["procedure_type"])):
            if not _same(want, n[col]):
                out.append(f"{nid}: {col} {n[col]!r}, expected {want!r}")
        country = buyers.loc[n["buyer_id"], "country"]
        if not _same(exp["country"], country):
            out.append(f"{nid}: buyer country {country!r}, expected {exp['country']!r}")
        my_lots = lots[lots["notice_id"] == nid].set_index("lot_id")
        if set(my_lots.index) != exp["lots"]:
            out.append(f"{nid}: lots {sorted(my_lots.index)}, expected {sorted(exp['lots'])}")
            continue
        if exp["lots"]:
            first = my_lots.iloc[0] if len(my_lots) == 1 else None
            if first is not None:
                if not _same(exp["cpv"], first["cpv_main"]):
                    out.append(f"{nid}: cpv {first['cpv_main']!r}, expected {exp['cpv']!r}")
                amount, currency = exp["estimated"]
                if not (_same(amount, first["estimated_value"])
                        and _same(currency, first["estimated_value_currency"])):
                    out.append(f"{nid}: estimated {first['estimated_value']!r} "
                               f"{first['estimated_value_currency']!r}, expected "
                               f"{amount!r} {currency!r}")
        for lot, (amount, currency) in exp["lot_values"].items():
            got = my_lots.loc[lot]
            if not (_same(amount, got["estimated_value"])
                    and _same(currency, got["estimated_value_currency"])):
                out.append(f"{nid} {lot}: estimated {got['estimated_value']!r} "
                           f"{got['estimated_value_currency']!r}, expected {amount!r} "
                           f"{currency!r}")
        my_awards = awards[awards["notice_id"] == nid].set_index("lot_id")
        if set(my_awards.index) != set(exp["awards"]):
            out.append(f"{nid}: lot results {sorted(my_awards.index)}, expected "
                       f"{sorted(exp['awards'])}")
            continue
        parties = {p.get("id"): p for p in rels[nid].get("parties") or []
                   if isinstance(p, dict)}
        for lot, want in exp["awards"].items():
            got = my_awards.loc[lot]
            for col, key in (("winners", "winners"), ("awarded_value", "value"),
                             ("awarded_value_currency", "currency"),
                             ("tenders_received", "tenders")):
                if not _same(want[key], got[col]):
                    out.append(f"{nid} {lot}: {col} {got[col]!r}, expected {want[key]!r}")
            if not _winner_matches(want["supplier"], parties, got["winner_id"]):
                out.append(f"{nid} {lot}: winner {got['winner_id']!r}, expected supplier "
                           f"{want['supplier']!r}")
    return out


def test_there_are_real_files():
    assert FILES, f"no real OCDS files in {HERE}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:60])
def test_reader_agrees_with_independent_extraction(path, data):
    assert mismatches(path, data) == []


def test_accounting_balances_and_few_files_are_refused(data):
    acc = data.accounting
    assert (acc["rows_in"] == acc["rows_accepted"] + acc["rows_quarantined"]).all()
    assert set(acc["source"]) == {"ocds"}, acc[acc["source"] != "ocds"]
    refused = acc[acc["rows_accepted"] == 0]
    assert len(refused) <= 0.03 * len(acc)
    for row in refused.itertuples():
        name = Path(row.input).name
        reasons = data.quarantine.loc[data.quarantine["source_file"] == row.input, "reason"]
        assert name in REFUSED and reasons.str.contains(REFUSED[name]).all(), name


def test_odd_values_are_field_issues_not_quarantines(data):
    issues = data.field_issues
    assert set(issues["action"]) <= {"kept_raw", "nulled", "normalised", "ignored"}
    assert issues["source_file"].isin(data.accounting["input"]).all()
    by_file = issues.groupby("source_file").size()
    acc = data.accounting.set_index("input")
    assert (acc.loc[by_file.index, "field_issues"] == by_file).all()


def test_every_file_has_its_source():
    source = (HERE / "SOURCE.md").read_text(encoding="utf-8")
    assert [f.name for f in FILES if f"`{f.name}`" not in source] == []
    assert len(FILES) >= 45

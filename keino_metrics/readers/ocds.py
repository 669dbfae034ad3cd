"""Reader for Open Contracting Data Standard (OCDS 1.1) data.

Reads release packages, record packages, single releases or records, and
JSON Lines files with one release, record or package per line (streamed line
by line by :func:`read`). Each release becomes one notice; a record becomes
one notice from its ``compiledRelease`` (or, without one, a notice per
embedded release).

Written by hand: the maintained OCDS tools (``ocdskit``, ``ocds-merge``)
compile and merge releases but do not map them to eForms-coded tables.

Mapping
-------
=================================  ======================================  ==========================
OCDS                               canonical                               translation
=================================  ======================================  ==========================
release ``id`` (with ``ocid``)     notices.notice_id                       ``id``; ``ocid/id`` when
                                                                           the id lacks the ocid
``ocid``                           notices.procedure_id
``tag``                            notices.notice_type                     see below
``date``                           notices.publication_date                calendar date as published
``buyer`` -> party (role buyer)    notices.buyer_id, buyers                see buyers below
``tender.procurementMethod``       notices.procedure_type                  open ``open``, selective
                                                                           ``restricted``, limited and
                                                                           direct ``neg-wo-call``
``tender.lots`` (lots extension)   lots.lot_id                             numbers -> ``LOT-0001``;
                                                                           no lots: one implicit lot
                                                                           ``LOT-0000``
``tender.mainProcurementCategory`` lots.contract_nature                    goods ``supplies``, works,
                                                                           services
items ``classification`` (CPV)     lots.cpv_main                           first CPV code of the
                                                                           lot's items (:func:`cpv_code`)
``lot.value`` / ``tender.value``   lots.estimated_value(_eur, _currency)   euros at the year's rate
``tender.awardCriteria``           lots.price_only_award                   priceOnly, lowestCost true;
                                                                           other codes false
``techniques.hasFrameworkAgreement`` lots.framework_agreement              (techniques extension)
``lot.suitability.sme``            lots.sme_suitable                       (suitability extension)
``awards[]`` (not cancelled)       awards                                  result releases (``can``,
                                                                           and tender releases with a
                                                                           decided award) only; one
                                                                           row per lot; awards for one
                                                                           lot summed
``award.relatedLots``              awards.lot_id                           none: the implicit lot
``award.status``                   awards.winner_chosen                    unsuccessful false, else
                                                                           true when suppliers given
``bids.statistics`` / ``tender.numberOfTenderers``  awards.tenders_received  per lot from the bids
                                                                           extension, else the tender
                                                                           count when there is one lot
``award.value``                    awards.awarded_value(_eur, _currency)   value_source ``award.value``
``award.suppliers[0]`` -> party    awards.winner_id                        as buyers
party ``details.scale``            awards.winner_size                      micro, sme, large
``award.date``                     awards.decision_date                    must not be after the
                                                                           release date
=================================  ======================================  ==========================

Tags: planning, planningUpdate ``pin``; tender ``cn``; tenderAmendment,
tenderUpdate, tenderCancellation, awardCancellation ``corrigendum``; award,
awardUpdate ``can``; contract, contractUpdate ``can`` when the release carries
awards, else ``other``; contractAmendment ``modification``; implementation,
implementationUpdate, contractTermination ``other``; compiled: ``can`` with
awards, else ``cn`` with a tender, else ``pin`` with planning.

Buyers: ``buyer_id`` is ``<country>-<identifier.id>`` for a party with an
identifier (the registration number), else the party id; ``country`` from
``address.countryName`` (English name or ISO code); ``nuts3`` from
``address.region`` when it is a NUTS code; the Finnish region from the NUTS
code or the region's name, the municipality from ``address.locality``.

Amounts are converted to euros with
:func:`keino_metrics.readers._json_common.to_eur` (the package's ECB annual
rates); an amount in a currency without a rate keeps its published value and
an empty ``*_eur``.

Bad input: malformed or truncated JSON (complete releases before the damage
are still read), a release without ``ocid``, ``id`` or ``date``, one that names
no buyer at all, awards whose lots cannot be placed and a release read twice
put the release (or record) in quarantine, naming file, record and field. Any
other odd value keeps the release and is recorded as a field-level issue
(:meth:`~keino_metrics.readers.base.ParseResult.note`): codes misspelled or in
another case are normalised to the code they resemble (:func:`known_code`),
free text where a code belongs is nulled, a tag given as a string is read as
a list, a buyer with a name but no id gets the name-based id, an award
repeating an award id is ignored, unusable amounts, counts and dates are
nulled; the table is in ``docs/readers.md`` (section *OCDS*).
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from keino_metrics import geography
from keino_metrics.dataset import Dataset
from keino_metrics.readers._json_common import (
    decode,
    iter_array_items,
    load_json,
    lot_label,
    nuts_code,
    org_id,
    parse_count,
    parse_date,
    parse_number,
    region_of,
    to_dataset,
    to_eur,
)
from keino_metrics.readers.base import ParseResult, Quarantined

__all__ = ["FORMAT", "sniff", "parse", "parse_lines", "read", "known_code", "cpv_code", "NOTICE_TYPES",
           "PROCEDURE_TYPES", "CONTRACT_NATURES", "IMPLICIT_LOT"]

FORMAT = "ocds"

#: Lot id used when a tender is not divided into lots.
IMPLICIT_LOT = "LOT-0000"

#: Release tag -> ``notices.notice_type`` (``contract`` depends on awards).
NOTICE_TYPES: dict[str, str] = {
    "planning": "pin", "planningUpdate": "pin",
    "tender": "cn",
    "tenderAmendment": "corrigendum", "tenderUpdate": "corrigendum",
    "tenderCancellation": "corrigendum", "awardCancellation": "corrigendum",
    "award": "can", "awardUpdate": "can",
    "contract": "can", "contractUpdate": "can",
    "contractAmendment": "modification",
    "implementation": "other", "implementationUpdate": "other",
    "contractTermination": "other",
    "compiled": "can",
}

#: Precedence when a release carries several tags (first match wins).
_TAG_ORDER = ("contractAmendment", "tenderAmendment", "tenderUpdate", "tenderCancellation",
              "awardCancellation", "award", "awardUpdate", "contract", "contractUpdate",
              "tender", "planning", "planningUpdate", "implementation", "implementationUpdate",
              "contractTermination", "compiled")

#: ``tender.procurementMethod`` -> eForms ``procurement-procedure-type``.
PROCEDURE_TYPES: dict[str, str] = {"open": "open", "selective": "restricted",
                                   "limited": "neg-wo-call", "direct": "neg-wo-call"}

#: ``tender.mainProcurementCategory`` -> eForms ``contract-nature``.
CONTRACT_NATURES: dict[str, str] = {"goods": "supplies", "works": "works",
                                    "services": "services"}

_AWARD_CRITERIA = {"priceOnly": True, "lowestCost": True, "costOnly": False,
                   "qualityOnly": False, "ratedCriteria": False, "bestProposal": False,
                   "bestValueToGovernment": False, "singleBidOnly": False}
_AWARD_STATUS = {"pending", "active", "cancelled", "unsuccessful"}
#: Award statuses that say a decision was taken.
_DECIDED = {"active", "unsuccessful"}
#: How alike a misspelled code must be to a known code to be read as it
#: (:func:`difflib.get_close_matches` ratio).
CODE_LIKENESS = 0.9
_SCALE = {"micro": "micro", "sme": "sme", "large": "large", "small": "small",
          "medium": "medium"}


# -- detection --------------------------------------------------------------

def sniff(head: bytes) -> bool:
    """Whether ``head`` starts OCDS JSON (package, release, record or JSON Lines).

    Requires a JSON object whose text names ``ocid`` together with ``releases``,
    ``records``, ``tag`` or ``compiledRelease``, or a package with
    ``publishedDate`` and ``releases``/``records``.
    """
    text = head[:65536].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text.startswith("{") or '"hilmaStatistics"' in text:
        return False
    has_ocid = '"ocid"' in text
    container = '"releases"' in text or '"records"' in text
    if has_ocid and (container or '"tag"' in text or '"compiledRelease"' in text):
        return True
    return container and '"publishedDate"' in text and '"version"' in text


# -- units of input -----------------------------------------------------------

def _units(obj: object, label: str) -> Iterator[tuple[str, str, object]]:
    """``(kind, label, item)`` for every release or record in a JSON value."""
    if isinstance(obj, dict) and isinstance(obj.get("releases"), list) and "ocid" not in obj:
        for i, rel in enumerate(obj["releases"]):
            yield "release", f"{label}releases[{i}]", rel
    elif isinstance(obj, dict) and isinstance(obj.get("records"), list):
        for i, rec in enumerate(obj["records"]):
            yield "record", f"{label}records[{i}]", rec
    elif isinstance(obj, dict) and ("compiledRelease" in obj
                                    or ("ocid" in obj and isinstance(obj.get("releases"), list))):
        yield "record", label.rstrip(" /") or "record", obj
    else:
        yield "release", label.rstrip(" /") or "release", obj


def _salvage(text: str, source_file: str) -> Iterator[tuple[str, str, object]]:
    """Releases or records of a package whose JSON is damaged, up to the damage."""
    m = re.search(r'"(releases|records)"\s*:\s*\[', text)
    if m is None:
        raise load_json_error(text, source_file)
    kind = "release" if m.group(1) == "releases" else "record"
    for i, item in enumerate(iter_array_items(text, m.end() - 1, source_file, m.group(1))):
        if isinstance(item, Quarantined):
            yield "error", item.record, item
            return
        yield kind, f"{m.group(1)}[{i}]", item


def load_json_error(text: str, source_file: str) -> Quarantined:
    try:
        load_json(text, source_file)
    except Quarantined as q:
        return q
    return Quarantined(source_file, "file", None, "not OCDS JSON")


def _is_json_lines(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()][:2]
    if len(lines) < 2 or not lines[0].lstrip().startswith("{"):
        return False
    try:
        load_json(lines[0], "")
    except Quarantined:
        return False
    return True


# -- mapping ----------------------------------------------------------------

def _s(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    s = str(value).strip()
    return s or None


@cache
def _country_names() -> dict[str, str]:
    from babel import Locale

    out: dict[str, str] = {}
    for lang in ("en", "fi", "sv"):
        for code, name in Locale(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                out[name.casefold()] = code
    return out


def _country(address: dict) -> str | None:
    for key in ("countryCode", "country"):
        v = _s(address.get(key))
        if v and len(v) == 2:
            return {"UK": "GB", "EL": "GR"}.get(v.upper(), v.upper())
    name = _s(address.get("countryName"))
    if name is None:
        return None
    if len(name) == 2 and name.isalpha():
        return name.upper()
    return _country_names().get(name.casefold())


@cache
def _municipalities() -> dict[str, str]:
    m = geography.municipalities()
    out = {str(n).casefold(): c for n, c in zip(m["name_fi"], m["municipality_code"],
                                                  strict=True)}
    out.update({str(n).casefold(): c for n, c in zip(m["name_sv"], m["municipality_code"],
                                                       strict=True) if n})
    return out


@cache
def _municipality_region() -> dict[str, str]:
    m = geography.municipalities()
    return dict(zip(m["municipality_code"], m["region_code"], strict=True))


def _party_id(party: dict) -> str | None:
    ident = party.get("identifier") if isinstance(party.get("identifier"), dict) else {}
    address = party.get("address") if isinstance(party.get("address"), dict) else {}
    reg = _s(ident.get("id"))
    if reg:
        return org_id(reg, party.get("name"), _country(address))
    return _s(party.get("id"))


def known_code(raw: str, known) -> str | None:
    """The code of ``known`` that ``raw`` is written for, or ``None``.

    Matches a code in another case (``Open``) or misspelled by a letter or two
    (``bestValueToGoverment``: likeness at least :data:`CODE_LIKENESS`).
    """
    codes = list(known)
    folded = {c.casefold(): c for c in codes}
    if raw.casefold() in folded:
        return folded[raw.casefold()]
    match = difflib.get_close_matches(raw, codes, n=1, cutoff=CODE_LIKENESS)
    return match[0] if match else None


def _other_name(party: dict, ref: dict) -> tuple[str | None, str | None]:
    """A name given other than in ``name``: a language variant or the legal name."""
    for where, org in (("the party", party), ("release.buyer", ref)):
        for key in sorted(org):
            if key.startswith("name_") and _s(org[key]):
                return f"{where}'s {key}", _s(org[key])
        ident = org.get("identifier") if isinstance(org.get("identifier"), dict) else {}
        for key in sorted(ident):
            if key.startswith("legalName") and _s(ident[key]):
                return f"{where}'s identifier.{key}", _s(ident[key])
    return None, None


def _cpv_ids(item: dict) -> Iterator[str]:
    """The ids an item gives under the CPV scheme (main, then additional)."""
    for cl in [item.get("classification"), *(item.get("additionalClassifications") or [])]:
        if isinstance(cl, dict) and str(cl.get("scheme", "")).upper() == "CPV":
            raw = _s(cl.get("id"))
            if raw is not None:
                yield raw


def cpv_code(raw: str) -> str | None:
    """The eight-digit CPV code written in ``raw``, or ``None``.

    The check digit (``45000000-7``) is dropped; seven digits are a code
    whose leading zero was lost as a number (``3000000`` is ``03000000``).
    Any other number of digits is not a CPV code.
    """
    digits = re.sub(r"\D", "", raw.split("-")[0].split(".")[0])
    return digits.zfill(8) if len(digits) in (7, 8) else None


class _Release:
    """Mapping of one release; raises :class:`Quarantined` on the first problem."""

    def __init__(self, rel: object, src: str, record: str):
        self.src = src
        self.record = record
        #: Field-level issues ``(record, field, value, action, reason)``, kept
        #: with the release when it is accepted.
        self.issues: list[tuple[str, str, object, str, str]] = []
        if not isinstance(rel, dict):
            raise self.fail(None, "not a JSON object")
        self.rel = rel

    def fail(self, field: str | None, reason: str) -> Quarantined:
        return Quarantined(self.src, self.record, field, reason)

    def note(self, field: str, value: object, action: str, reason: str) -> None:
        self.issues.append((self.record, field, value, action, reason))

    def code(self, value: object, known, field: str) -> str | None:
        """The code of ``value`` in ``known``, or ``None`` with a field-level issue.

        A code written in another case or misspelled by a letter or two
        (``bestValueToGoverment``) is normalised to the code it resembles
        (:func:`known_code`); any other text (a free-text procedure name) is
        nulled. Both are noted.
        """
        raw = _s(value)
        if raw is None or raw in known:
            return raw
        match = known_code(raw, known)
        if match is not None:
            self.note(field, raw, "normalised", f"read as the code {match!r}")
            return match
        self.note(field, raw, "nulled", f"not a code of the list ({', '.join(known)})")
        return None

    def number(self, value: object, field: str, count: bool = False):
        """A parsed amount or count; an unusable one is nulled with an issue."""
        try:
            if count:
                return parse_count(value, self.src, self.record, field)
            return parse_number(value, self.src, self.record, field)
        except Quarantined as q:
            self.note(field, value, "nulled", q.reason)
            return None

    def date(self, value: object, field: str):
        """A parsed date; an unusable one is nulled with an issue."""
        try:
            return parse_date(value, self.src, self.record, field)
        except Quarantined as q:
            self.note(field, value, "nulled", q.reason)
            return None

    def amount(self, value: object, field: str, when) -> tuple[float | None, str | None,
                                                                 float | None]:
        if not isinstance(value, dict):
            return None, None, None
        amt = self.number(value.get("amount"), f"{field}.amount")
        if amt is None:  # a currency without an amount says nothing
            return None, None, None
        cur = _s(value.get("currency"))
        if amt is not None and cur is None:
            self.note(f"{field}.currency", None, "kept_raw",
                      "amount without currency: kept as published, no euro value")
            return amt, None, None
        return amt, cur, to_eur(amt, cur, when, self.src, self.record)

    def cpv(self, items: list[dict]) -> str | None:
        """The main CPV code: the first valid CPV id of ``items``; invalid ids are noted."""
        for k, item in enumerate(items):
            for raw in _cpv_ids(item):
                code = cpv_code(raw)
                if code is not None:
                    return code
                self.note(f"items[{k}].classification.id", raw, "ignored",
                          "not an eight-digit CPV code")
        return None

    def tag(self, value: object) -> str | None:
        """The release tag that sets the notice type, or ``None`` to read it from content.

        A tag given as a string is read as a list of one; unknown tags are
        ignored; all of them noted.
        """
        tags = value
        if isinstance(tags, str):
            self.note("tag", tags, "normalised", "tag given as a string, read as a list of one")
            tags = [tags]
        if not isinstance(tags, list) or not tags:
            self.note("tag", None if value is None else str(value), "normalised",
                      "no release tag: the notice type is read from the release's content")
            return None
        known = []
        for t in tags:
            code = self.code(t, NOTICE_TYPES, "tag") if isinstance(t, str) else None
            if code is None and not isinstance(t, str):
                self.note("tag", str(t), "ignored", "not a release tag")
            if code is not None:
                known.append(code)
        if not known:
            self.note("tag", ", ".join(map(str, tags)), "normalised",
                      "no known release tag: the notice type is read from the release's "
                      "content")
            return None
        return next(t for t in _TAG_ORDER if t in known)

    def rows(self, compiled: bool = False) -> dict[str, list[dict]]:
        rel = self.rel
        ocid = _s(rel.get("ocid"))
        if ocid is None:
            raise self.fail("ocid", "mandatory ocid is missing")
        rid = _s(rel.get("id"))
        if rid is None:
            raise self.fail("id", "mandatory release id is missing")
        notice_id = rid if ocid in rid else f"{ocid}/{rid}"
        self.record = f"{self.record} ({notice_id})"
        pub = parse_date(rel.get("date"), self.src, self.record, "date")
        if pub is None:
            raise self.fail("date", "mandatory release date is missing")
        tender = rel.get("tender") if isinstance(rel.get("tender"), dict) else None
        awards_raw = rel.get("awards")
        if awards_raw and not isinstance(awards_raw, list):
            self.note("awards", type(awards_raw).__name__, "ignored",
                      "awards is not a list of awards: not read")
            awards_raw = []
        awards_in = [a for a in awards_raw or [] if isinstance(a, dict)]
        tag = self.tag(rel.get("tag"))
        decided = [a for a in awards_in if _s(a.get("status")) in _DECIDED]
        if tag is None or tag == "compiled" or compiled:
            notice_type = ("can" if awards_in else "cn" if tender else
                           "pin" if rel.get("planning") else "other")
        elif tag in ("contract", "contractUpdate"):
            notice_type = "can" if awards_in else "other"
        elif tag in ("tender", "planning", "planningUpdate") and decided:
            # the release carries decided awards: they are read, as from a result
            notice_type = "can"
            self.note("tag", tag, "normalised",
                      f"release tagged {tag!r} carries {len(decided)} decided award(s) "
                      "(status active or unsuccessful): read as a result notice")
        else:
            notice_type = NOTICE_TYPES[tag]

        parties = {p.get("id"): p for p in rel.get("parties") or [] if isinstance(p, dict)}
        buyer_ref = rel.get("buyer") if isinstance(rel.get("buyer"), dict) else {}
        party = parties.get(buyer_ref.get("id")) if buyer_ref.get("id") else None
        if party is None:
            party = next((p for p in parties.values() if "buyer" in (p.get("roles") or [])),
                         None)
        field = "buyer"
        if party is None and not buyer_ref and tender is not None \
                and isinstance(tender.get("procuringEntity"), dict):
            # OCDS 1.0 publishers often name only the procuring entity
            buyer_ref = tender["procuringEntity"]
            field = "tender.procuringEntity"
            self.note("buyer", None, "normalised",
                      "no buyer: the procuring entity (tender.procuringEntity) is the buyer")
        if party is None and not buyer_ref:
            raise self.fail("buyer", "no buyer (release.buyer, a party with role buyer "
                                     "or tender.procuringEntity)")
        party = party or buyer_ref
        buyer = self.buyer(party, buyer_ref, field)

        procedure_type = None
        if tender is not None:
            method = self.code(tender.get("procurementMethod"), PROCEDURE_TYPES,
                               "tender.procurementMethod")
            procedure_type = PROCEDURE_TYPES.get(method) if method else None
        notice = {"notice_id": notice_id, "procedure_id": ocid, "notice_type": notice_type,
                  "publication_date": pub, "buyer_id": buyer["buyer_id"],
                  "procedure_type": procedure_type, "source": FORMAT,
                  "source_file": self.src}
        # Awards are read from result releases only: implementation and
        # amendment releases repeat the award they follow.
        if notice_type != "can":
            awards_in = []
        lots = self.lots(notice_id, tender, awards_in, pub)
        awards = self.awards(notice_id, tender, awards_in, parties, lots, pub, rel)
        return {"buyers": [buyer], "notices": [notice], "lots": list(lots.values()),
                "awards": awards}

    def buyer(self, party: dict, ref: dict, field: str = "buyer") -> dict:
        name = _s(party.get("name")) or _s(ref.get("name"))
        if name is None:
            other, name = _other_name(party, ref)
            if name is not None:
                self.note(f"{field}.name", None, "normalised",
                          f"buyer name taken from {other}")
        if name is None:
            raise self.fail(f"{field}.name", "buyer name is missing")
        address = party.get("address") if isinstance(party.get("address"), dict) else {}
        country = _country(address)
        bid = _party_id(party) or _s(ref.get("id"))
        if bid is None:
            bid = org_id(None, name, country)
            self.note(f"{field}.id", None, "normalised",
                      f"buyer has a name but no id: id {bid} made from name and country")
        nuts3 = nuts_code(address.get("region"))
        municipality = None
        if country == "FI" and _s(address.get("locality")):
            municipality = _municipalities().get(address["locality"].strip().casefold())
        region = region_of(nuts3, _s(address.get("region")) if country == "FI" else None)
        if region is None and municipality is not None:
            region = _municipality_region().get(municipality)
        return {"buyer_id": bid, "name": name, "legal_type": None, "country": country,
                "nuts3": nuts3, "municipality_code": municipality, "region_code": region,
                "city": _s(address.get("locality"))}

    def lots(self, notice_id: str, tender: dict | None, awards: list[dict], pub) -> dict:
        tender = tender or {}
        cat = self.code(tender.get("mainProcurementCategory"), CONTRACT_NATURES,
                        "tender.mainProcurementCategory")
        nature = CONTRACT_NATURES.get(cat) if cat else None
        crit = self.code(tender.get("awardCriteria"), _AWARD_CRITERIA, "tender.awardCriteria")
        price_only = _AWARD_CRITERIA.get(crit) if crit else None
        techniques = tender.get("techniques") if isinstance(tender.get("techniques"), dict) else {}
        framework = techniques.get("hasFrameworkAgreement")
        items = [i for i in tender.get("items") or [] if isinstance(i, dict)]
        if not items:
            items = [i for a in awards for i in a.get("items") or [] if isinstance(i, dict)]
        base = {"contract_nature": nature, "price_only_award": price_only,
                "framework_agreement": framework if isinstance(framework, bool) else None}
        out: dict[str, dict] = {}
        tlots = [lt for lt in tender.get("lots") or [] if isinstance(lt, dict)]
        if not tender and not awards:
            return out
        if not tlots:
            amt, cur, eur = self.amount(tender.get("value"), "tender.value", pub)
            out[IMPLICIT_LOT] = {"notice_id": notice_id, "lot_id": IMPLICIT_LOT, **base,
                                 "cpv_main": self.cpv(items),
                                 "nuts3": None, "estimated_value": amt,
                                 "estimated_value_currency": cur, "estimated_value_eur": eur}
            return out
        for k, lot in enumerate(tlots):
            raw = _s(lot.get("id"))
            if raw is None:
                raise self.fail(f"tender.lots[{k}].id", "lot without id")
            lot_id = lot_label(raw)
            amt, cur, eur = self.amount(lot.get("value"), f"tender.lots[{k}].value", pub)
            mine = [i for i in items if _s(i.get("relatedLot")) == raw]
            suit = lot.get("suitability") if isinstance(lot.get("suitability"), dict) else {}
            sme = suit.get("sme")
            out[lot_id] = {"notice_id": notice_id, "lot_id": lot_id, **base,
                           "cpv_main": self.cpv(mine),
                           "nuts3": None, "estimated_value": amt,
                           "estimated_value_currency": cur, "estimated_value_eur": eur,
                           "sme_suitable": sme if isinstance(sme, bool) else None,
                           "source_lot_id": raw}
        return out

    def awards(self, notice_id: str, tender: dict | None, awards: list[dict],
               parties: dict, lots: dict, pub, rel: dict) -> list[dict]:
        tender = tender or {}
        n_tenderers = self.number(tender.get("numberOfTenderers"), "tender.numberOfTenderers",
                                  count=True)
        by_lot_bids = self.bid_counts(rel)
        raw_to_lot = {v.get("source_lot_id", k): k for k, v in lots.items()}
        out: dict[str, dict] = {}
        seen: set[str] = set()
        for k, a in enumerate(awards):
            field = f"awards[{k}]"
            award_id = _s(a.get("id"))
            if award_id is not None and award_id in seen:
                self.note(f"{field}.id", award_id, "ignored",
                          "repeats an award of this release (same award id)")
                continue
            if award_id is not None:
                seen.add(award_id)
            status = self.code(a.get("status"), _AWARD_STATUS, f"{field}.status")
            if status == "cancelled":
                continue
            decided = self.date(a.get("date"), f"{field}.date")
            if decided is not None and decided > pub:
                self.note(f"{field}.date", a.get("date"), "nulled",
                          f"award decision {decided.date()} is after the release date "
                          f"{pub.date()}")
                decided = None
            amt, cur, eur = self.amount(a.get("value"), f"{field}.value", decided or pub)
            related = [_s(x) for x in a.get("relatedLots") or [] if _s(x)]
            if related:
                lot_ids = []
                for r in related:
                    if r not in raw_to_lot and lot_label(r) not in lots:
                        raise self.fail(f"{field}.relatedLots",
                                        f"lot {r!r} is not among the tender's lots")
                    lot_ids.append(raw_to_lot.get(r, lot_label(r)))
            elif len(lots) == 1:
                lot_ids = list(lots)
            else:
                raise self.fail(f"{field}.relatedLots",
                                "award names no lot but the tender has several")
            suppliers = [s for s in a.get("suppliers") or [] if isinstance(s, dict)]
            winner = size = None
            if suppliers:
                p = parties.get(suppliers[0].get("id")) or suppliers[0]
                winner = _party_id(p)
                details = p.get("details") if isinstance(p.get("details"), dict) else {}
                scale = self.code(details.get("scale"), _SCALE,
                                  f"parties[{p.get('id')}].details.scale")
                size = _SCALE.get(scale) if scale else None
            chosen = False if status == "unsuccessful" else (True if suppliers else None)
            share = 1 / len(lot_ids)
            for lot_id in lot_ids:
                tenders = by_lot_bids.get(lot_id)
                if tenders is None and len(lots) == 1:
                    tenders = by_lot_bids.get(None, n_tenderers)
                row = out.get(lot_id)
                if row is None:
                    out[lot_id] = {
                        "notice_id": notice_id, "lot_id": lot_id, "winner_chosen": chosen,
                        "tenders_received": tenders, "sme_tenders_received": None,
                        "awarded_value": None if amt is None else amt * share,
                        "awarded_value_currency": cur,
                        "awarded_value_eur": None if eur is None else eur * share,
                        "value_source": "award.value" if amt is not None else None,
                        "winner_id": winner, "winner_size": size, "decision_date": decided,
                        "winners": 1 if suppliers else 0}
                    continue
                row["winners"] += 1 if suppliers else 0
                if chosen:
                    row["winner_chosen"] = True
                if amt is not None:
                    if row["awarded_value_currency"] not in (None, cur):
                        raise self.fail(f"{field}.value.currency",
                                        "awards of one lot in different currencies")
                    row["awarded_value"] = (row["awarded_value"] or 0) + amt * share
                    row["awarded_value_currency"] = cur
                    row["value_source"] = "award.value"
                    if eur is not None:
                        row["awarded_value_eur"] = (row["awarded_value_eur"] or 0) + eur * share
                for col, val in (("winner_id", winner), ("winner_size", size),
                                 ("decision_date", decided)):
                    if row[col] is None:
                        row[col] = val
        return list(out.values())

    def bid_counts(self, rel: dict) -> dict:
        """Tenders per lot from the bids extension (``bids.statistics``)."""
        bids = rel.get("bids") if isinstance(rel.get("bids"), dict) else {}
        out: dict = {}
        for k, st in enumerate(bids.get("statistics") or []):
            if not isinstance(st, dict) or st.get("measure") not in ("bids", "validBids"):
                continue
            n = self.number(st.get("value"), f"bids.statistics[{k}].value", count=True)
            lot = _s(st.get("relatedLot"))
            key = lot_label(lot) if lot else None
            if st.get("measure") == "validBids" or key not in out:
                out[key] = n
        return out


# -- driver -----------------------------------------------------------------

class _State:
    def __init__(self, result: ParseResult):
        self.result = result
        self.buyers: dict[str, dict] = {}
        self.notices: set[str] = set()

    def take(self, tables: dict[str, list[dict]]) -> None:
        for b in tables.get("buyers", []):
            self.buyers.setdefault(b["buyer_id"], b)
        for table in ("notices", "lots", "awards"):
            for row in tables.get(table, []):
                self.result.add(table, row)

    def finish(self) -> ParseResult:
        self.result.rows["buyers"] = list(self.buyers.values())
        for table in ("notices", "lots", "awards"):
            self.result.rows.setdefault(table, [])
        return self.result


def _release_tables(rel: object, src: str, label: str, compiled: bool = False
                    ) -> dict[str, list[dict]]:
    """The rows of one release, with its field-level issues under ``"issues"``."""
    mapping = _Release(rel, src, label)
    tables = mapping.rows(compiled=compiled)
    tables["issues"] = mapping.issues
    return tables


def _record_tables(rec: object, src: str, label: str) -> dict[str, list[dict]]:
    if not isinstance(rec, dict):
        raise Quarantined(src, label, None, "not a JSON object")
    ocid = _s(rec.get("ocid"))
    label = f"{label} (ocid {ocid})" if ocid else label
    compiled = rec.get("compiledRelease")
    if isinstance(compiled, dict):
        return _release_tables(compiled, src, label, compiled=True)
    embedded = [r for r in rec.get("releases") or [] if isinstance(r, dict) and "tag" in r
                and "date" in r and ("tender" in r or "awards" in r or "planning" in r
                                     or "contracts" in r)]
    if not embedded:
        raise Quarantined(src, label, "compiledRelease",
                          "record has no compiledRelease and only linked releases")
    merged: dict[str, list[dict]] = {}
    for r in embedded:
        for table, rows in _release_tables(r, src, label).items():
            merged.setdefault(table, []).extend(rows)
    return merged


def _consume(state: _State, units: Iterable[tuple[str, str, object]], src: str) -> None:
    result = state.result
    for kind, label, item in units:
        result.records_in += 1
        try:
            if kind == "error":
                raise item  # type: ignore[misc]
            if kind == "record":
                tables = _record_tables(item, src, label)
            else:
                tables = _release_tables(item, src, label)
            dup = [n["notice_id"] for n in tables["notices"] if n["notice_id"] in state.notices]
            if dup:
                raise Quarantined(src, label, "id", f"release {dup[0]} appears twice")
        except Quarantined as q:
            result.quarantine.append(q)
            continue
        state.notices.update(n["notice_id"] for n in tables["notices"])
        for issue in tables.pop("issues", []):
            result.note(*issue)
        state.take(tables)
        result.records_accepted += 1
    if result.unit == "notice":
        result.unit = "release"


def _line_units(lines: Iterable[str], src: str) -> Iterator[tuple[str, str, object]]:
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = load_json(line, src, f"line {i}")
        except Quarantined as q:
            yield "error", f"line {i}", q
            continue
        yield from _units(obj, f"line {i} ")


def parse_lines(lines: Iterable[str], source_file: str) -> ParseResult:
    """Read OCDS JSON Lines (one release, record or package per line).

    ``lines`` may be any iterable of text lines, such as an open file, so
    large files are read one line at a time.
    """
    result = ParseResult(source_file=source_file, format=FORMAT, unit="line item")
    state = _State(result)
    _consume(state, _line_units(lines, source_file), source_file)
    return state.finish()


def parse(data: bytes, source_file: str) -> ParseResult:
    """Read one OCDS file (package, release, record or JSON Lines) into canonical rows.

    Each release (or record) is a record of the accounting: accepted, or
    quarantined with the file, the release and the field.
    """
    text = decode(data, source_file)
    if _is_json_lines(text):
        return parse_lines(io.StringIO(text), source_file)
    result = ParseResult(source_file=source_file, format=FORMAT, unit="release")
    state = _State(result)
    try:
        obj = load_json(text, source_file)
        units: Iterable = list(_units(obj, ""))
    except Quarantined as q:
        try:
            units = list(_salvage(text, source_file))
        except Quarantined:
            units = [("error", "file", q)]
    if units and units[0][0] == "record":
        result.unit = "record"
    _consume(state, units, source_file)
    return state.finish()


def read(path: str | Path) -> Dataset:
    """Read an OCDS file into a :class:`Dataset`; JSON Lines are streamed.

    Examples
    --------
    >>> from keino_metrics.readers import ocds
    >>> ds = ocds.read("releases.jsonl")  # doctest: +SKIP
    """
    p = Path(path)
    with p.open("rb") as fh:
        head = fh.read(65536)
    text_head = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if _is_json_lines(text_head):
        with p.open(encoding="utf-8", errors="strict", newline="") as fh:
            try:
                result = parse_lines(fh, str(path))
            except UnicodeDecodeError:
                result = parse(p.read_bytes(), str(path))
    else:
        result = parse(p.read_bytes(), str(path))
    return to_dataset([result], {"source_files": [str(path)], "format": FORMAT})

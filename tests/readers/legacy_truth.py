"""What real legacy TED files say, read with plain lxml and no project code.

The real-data tests compare the legacy reader with this module. It is written
apart from ``keino_metrics.readers.ted_legacy`` and ``lot_numbers`` on
purpose (a tokenizer instead of their regular expressions, its own tables),
following the documented rules of ``docs/readers.md``: lots, the lots each
award names, lot results with their tender counts, values, currencies and
winners, CPV, procedure type and buyer country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
#: The 70 legacy samples and the collected real notices (R2.0.9, then R2.0.8).
FOLDERS = (ROOT / "data" / "raw" / "samples" / "ted-legacy",
           ROOT / "tests" / "fixtures" / "real" / "ted-legacy",
           ROOT / "tests" / "fixtures" / "real" / "ted-legacy-r208")

PROCEDURES = {
    "PT_OPEN": "open", "PT_RESTRICTED": "restricted", "PT_COMPETITIVE_NEGOTIATION": "neg-w-call",
    "PT_NEGOTIATED_WITH_PRIOR_CALL": "neg-w-call", "PT_INVOLVING_NEGOTIATION": "neg-w-call",
    "PT_AWARD_CONTRACT_WITH_PRIOR_PUBLICATION": "neg-w-call",
    "PT_COMPETITIVE_DIALOGUE": "comp-dial", "PT_INNOVATION_PARTNERSHIP": "innovation",
    "PT_AWARD_CONTRACT_WITHOUT_CALL": "neg-wo-call",
    "PT_AWARD_CONTRACT_WITHOUT_PUBLICATION": "neg-wo-call",
}
#: Form -> notice type as docs/readers.md lists it (F21-F23 go by NOTICE/@TYPE).
FORM_KINDS = {**dict.fromkeys(("F01", "F04", "F16"), "pin"),
              **dict.fromkeys(("F02", "F05", "F07", "F12", "F17", "F24"), "cn"),
              **dict.fromkeys(("F03", "F06", "F13", "F18", "F19", "F25"), "can"),
              "F14": "corrigendum", "F20": "modification", "F15": "veat", "F08": "other"}
LOT_WORDS = {"lot", "lots", "lote", "lotes", "lotto", "lotti", "lotul", "loturi", "loturile",
             "los", "lose", "lott", "part", "parts", "partie", "parties", "del", "delområde",
             "delkontrakt", "osa", "osat", "osa-alue", "pakiet", "część", "cast", "časť",
             "tranche", "tranches", "nr", "nr.", "no", "no.", "n°", "nº", "n.", "#", "od",
             "from", "von", "dal", "de"}
AND_WORDS = {"and", "und", "et", "ja", "och", "og", "en", "y", "e", "i", "si", "și", "oraz"}
TO_WORDS = {"-", "–", "—", "to", "bis", "à", "a", "al", "til", "till", "do", "tot"}



def _lot_index(lots: list[tuple[str | None, str | None]], divided: bool):
    """Lot ids of ``(LOT_NO, TITLE)`` pairs and the maps that find them by text,
    by title and by number (the documented lot-linking rules)."""
    ids, by_text, by_title, by_num = [], {}, {}, {}
    for raw, title in lots:
        lot = lot_key(raw) if divided else "LOT-0000"
        ids.append(lot)
        if raw and divided:
            by_text.setdefault(raw.lower(), lot)
            for k in lot_numbers_of(raw) or []:
                by_num.setdefault(k, lot)
        if title and divided:
            by_title.setdefault(title.lower(), lot)
    return ids, by_text, by_title, by_num

def local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def child(el, name):
    if el is None:
        return None
    for c in el:
        if local(c) == name:
            return c
    return None


def children(el, name) -> list:
    return [] if el is None else [c for c in el if local(c) == name]


def text(el) -> str | None:
    if el is None:
        return None
    t = " ".join("".join(el.itertext()).split())
    return t or None


def pub_number(s: str | None) -> str | None:
    if not s:
        return None
    m = re.fullmatch(r"\s*0*(\d+)-(\d{4})\s*", s)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    m = re.fullmatch(r"\s*(\d{4})/S\s*\d+-0*(\d+)\s*", s)
    return f"{m.group(2)}-{m.group(1)}" if m else None


def _tokens(s: str) -> list[str]:
    """Words, numbers and separators of a lot reference."""
    s = s.replace("…", " ... ")
    out = re.findall(r"\.{2,}|\d+|[^\W\d_]+\.?|[,;&+#°º–—-]|\S", s.lower())
    return [t for t in out if t.strip()]


def lot_numbers_of(s: str | None) -> list[int] | None:
    """The numbers a text that is only a lot reference names, else ``None``."""
    if not s or not s.strip():
        return None
    flat = " ".join(s.split())
    core = flat
    while True:  # words such as "Lot", "Lotto n." before the numbers
        m = re.match(r"([^\W\d_]+\.?|[#°º]|n[°º.])\s*", core.lower())
        if not m or m.group(1).rstrip(".") not in {w.rstrip(".") for w in LOT_WORDS}:
            break
        core = core[m.end():]
    if re.fullmatch(r"\d+(\s*\.\s*\d+)+\s*\.?", core) and (core.count(".") >= 2
                                                            or core.rstrip().endswith(".")):
        return [int(p) for p in re.findall(r"\d+", core)]
    toks = [t for t in _tokens(core) if t.rstrip(".") not in {w.rstrip(".") for w in LOT_WORDS}
            or t in TO_WORDS]
    nums: list[int] = []
    i, gap = 0, False
    while i < len(toks):
        t = toks[i]
        if t in {",", ";", "&", "+"} or t in AND_WORDS:
            i += 1
            continue
        if t.startswith("..") or t in {"etc", "etc."}:
            gap, i = True, i + 1
            continue
        if t == "." and i == len(toks) - 1:
            break
        if not t.isdigit():
            return None
        n = int(t)
        if i + 2 < len(toks) and toks[i + 1] in TO_WORDS and toks[i + 2].isdigit():
            b = int(toks[i + 2])
            if not n <= b <= n + 10_000 or gap:
                return None
            nums.extend(range(n, b + 1))
            i += 3
            continue
        if gap:
            if not nums or not nums[-1] < n <= nums[-1] + 10_000:
                return None
            nums.extend(range(nums[-1] + 1, n))
            gap = False
        nums.append(n)
        i += 1
    return list(dict.fromkeys(nums)) or None


def lot_key(raw: str | None) -> str:
    """Canonical id of a lot from its own LOT_NO."""
    if not raw:
        return "LOT-0000"
    flat = " ".join(raw.split())
    found = lot_numbers_of(flat)
    if flat.isdigit() or (found is not None and len(found) == 1
                          and not re.search(r"[,;&+]|\.\s*\d", flat)
                          and not any(w in AND_WORDS for w in _tokens(flat))
                          and not re.search(r"\d\s*(-|–|—|\bto\b|\bdo\b|\ba\b|\bal\b|\bbis\b)"
                                            r"\s*\d", flat)):
        return f"LOT-{int(found[0] if found else flat):04d}"
    return flat


@dataclass
class Award:
    ref: str | None
    lots: list[str]
    awarded: bool | None
    tenders: int | None
    sme: int | None
    value: float | None
    currency: str | None
    winners: list[tuple]


@dataclass
class Notice:
    file: str
    notice_id: str
    notice_type: str
    form: str
    procedure_type: str | None
    buyer_country: str | None
    cpv: str | None
    framework: bool
    procedure_id: str | None = None
    lots: dict[str, float | None] = field(default_factory=dict)  # lot id -> estimate
    price_only: dict[str, bool | None] = field(default_factory=dict)
    lot_currency: dict[str, str | None] = field(default_factory=dict)
    awards: list[Award] = field(default_factory=list)
    total: float | None = None
    total_currency: str | None = None


def _country(c: str | None) -> str | None:
    return {"UK": "GB", "EL": "GR"}.get(c, c) if c else None


def _links(raw, title, divided, ids, by_text, by_title, by_num) -> list[str]:
    if not divided:
        return ["LOT-0000"]
    if not raw:
        if len(set(ids)) == 1:
            return [ids[0]]
        nums = lot_numbers_of(title)
        named = [by_num.get(n, f"LOT-{n:04d}") for n in nums or []]
        return list(dict.fromkeys(named)) if any(n in ids for n in named) else ["LOT-0000"]
    key = " ".join(raw.split()).lower()
    if key in by_text:
        return [by_text[key]]
    if key in by_title:
        return [by_title[key]]
    nums = lot_numbers_of(raw)
    if nums:
        return list(dict.fromkeys(by_num.get(n, f"LOT-{n:04d}") for n in nums))
    m = re.match(r"(\d+)(?=\s*[./:(–-]|\s+\S|[^\W\d_])", " ".join(raw.split()))
    if m and by_num.get(int(m.group(1)), f"LOT-{int(m.group(1)):04d}") in ids:
        return [by_num.get(int(m.group(1)), f"LOT-{int(m.group(1)):04d}")]
    return [lot_key(raw)]


def _num(el) -> float | None:
    t = text(el)
    return float(t.replace(" ", "").replace(",", ".")) if t else None


def read(path: Path) -> Notice:
    """What one legacy TED file says."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    section = child(root, "FORM_SECTION")
    form = next(f for f in section if f.get("CATEGORY") == "ORIGINAL")
    if (form.get("VERSION") or "").startswith(("R2.0.8", "R2.0.7")):
        return read_r208(path, root, form)
    code = form.get("FORM")
    kind = child(form, "NOTICE")
    kind = kind.get("TYPE") if kind is not None else None
    ntype = FORM_KINDS.get(code) or ("pin" if kind and kind.startswith(("PRI", "PER"))
                                     else "cn" if kind in {"CONTRACT", "QSU_CALL_COMPETITION",
                                                           "QSU_ONLY"}
                                     else "can" if kind == "AWARD_CONTRACT" else "other")
    proc = child(form, "PROCEDURE")
    ptype = next((PROCEDURES[local(e)] for e in (proc.iter() if proc is not None else [])
                  if local(e) in PROCEDURES), None)
    framework = (proc is not None and code not in {"F24", "F25"}
                 and any(local(e) == "FRAMEWORK" for e in proc.iter()))
    body = child(child(form, "CONTRACTING_BODY"), "ADDRESS_CONTRACTING_BODY")
    country = child(body, "COUNTRY")
    oc = child(form, "OBJECT_CONTRACT")
    cpv = child(child(oc, "CPV_MAIN"), "CPV_CODE")
    n = Notice(path.name, pub_number(root.get("DOC_ID")), ntype, code, ptype,
               _country(country.get("VALUE") if country is not None else None),
               cpv.get("CODE") if cpv is not None else None, framework)
    ref = text(child(proc, "NOTICE_NUMBER_OJ")) or text(child(child(child(
        child(root, "CODED_DATA_SECTION"), "NOTICE_DATA"), "REF_NOTICE"), "NO_DOC_OJS"))
    n.procedure_id = pub_number(ref) or n.notice_id
    total = child(oc, "VAL_TOTAL")
    n.total = _num(total)
    n.total_currency = total.get("CURRENCY") if total is not None else None
    divided = child(oc, "LOT_DIVISION") is not None
    descrs = children(oc, "OBJECT_DESCR")
    ids, by_text, by_title, by_num = _lot_index(
        [(text(child(d, "LOT_NO")), text(child(d, "TITLE"))) for d in descrs], divided)
    for lot, d in zip(ids, descrs, strict=True):
        est = child(d, "VAL_OBJECT")
        if est is None and len(descrs) == 1:
            est = child(oc, "VAL_ESTIMATED_TOTAL")
        n.lots[lot] = _num(est)
        ac = child(d, "AC")
        if ac is None:
            ac = next((e for e in d.iter() if local(e) == "AC"), None)
        kinds = {local(c) for c in ac} if ac is not None else set()
        n.price_only[lot] = (False if kinds & {"AC_QUALITY", "AC_COST", "AC_CRITERION",
                                               "AC_CRITERIA"}
                             else True if "AC_PRICE" in kinds else None)
        n.lot_currency[lot] = est.get("CURRENCY") if est is not None else None
    for ac in children(form, "AWARD_CONTRACT"):
        raw = text(child(ac, "LOT_NO"))
        lots = _links(raw, text(child(ac, "TITLE")) if not raw else None, divided, ids,
                      by_text, by_title, by_num)
        aw = child(ac, "AWARDED_CONTRACT")
        if aw is None:
            n.awards.append(Award(raw, lots, False if child(ac, "NO_AWARDED_CONTRACT") is not None
                                  else None, None, None, None, None, []))
            continue
        counts = child(aw, "TENDERS")
        counts = aw if counts is None else counts
        tenders = _num(child(counts, "NB_TENDERS_RECEIVED"))
        sme = _num(child(counts, "NB_TENDERS_RECEIVED_SME"))
        box = child(aw, "VALUES")
        box = child(aw, "VALUE") if box is None else box
        box = aw if box is None else box
        val = child(box, "VAL_TOTAL")
        holders = child(aw, "CONTRACTORS")
        winners = []
        for c in children(holders if holders is not None else aw, "CONTRACTOR"):
            a = child(c, "ADDRESS_CONTRACTOR")
            if a is None:
                continue
            reg = text(child(a, "NATIONALID"))
            co = child(a, "COUNTRY")
            winners.append((reg.replace(" ", "") if reg else None,
                            None if reg else (text(child(a, "OFFICIALNAME")) or "").lower(),
                            _country(co.get("VALUE") if co is not None else None),
                            True if child(c, "SME") is not None
                            else False if child(c, "NO_SME") is not None else None))
        n.awards.append(Award(raw, lots, True, None if tenders is None else int(tenders),
                              None if sme is None else int(sme), _num(val),
                              val.get("CURRENCY") if val is not None else None, winners))
    return n


R208_KINDS = {"CONTRACT": "cn", "CONTRACT_UTILITIES": "cn", "CONTRACT_DEFENCE": "cn",
              "CONTRACT_AWARD": "can", "CONTRACT_AWARD_UTILITIES": "can",
              "CONTRACT_AWARD_DEFENCE": "can",
              "VOLUNTARY_EX_ANTE_TRANSPARENCY_NOTICE": "veat"}
R208_PROCEDURES = {"PT_OPEN": "open", "PT_RESTRICTED": "restricted",
                   "PT_ACCELERATED_RESTRICTED": "restricted", "PT_NEGOTIATED": "neg-w-call",
                   "PT_ACCELERATED_NEGOTIATED": "neg-w-call",
                   "PT_COMPETITIVE_DIALOGUE": "comp-dial",
                   "F03_PT_NEGOTIATED_WITHOUT_COMPETITION": "neg-wo-call",
                   "PT_NEGOTIATED_WITHOUT_COMPETITION": "neg-wo-call",
                   "F06_PT_NEGOTIATED_WITHOUT_COMPETITION": "neg-wo-call",
                   "F15_PT_NEGOTIATED_WITHOUT_COMPETITION": "neg-wo-call"}


def _descendants(el, name) -> list:
    return [] if el is None else [e for e in el.iter() if local(e) == name]


def _cost(box) -> tuple[float | None, str | None]:
    cost = child(box, "VALUE_COST")
    if cost is None:
        return None, None
    t = cost.get("FMTVAL") or text(cost)
    return (float(t.replace(" ", "").replace(",", ".")) if t else None), box.get("CURRENCY")


def _value_box(award):
    """CONTRACT_VALUE_INFORMATION, or INFORMATION_VALUE_CONTRACT in utilities forms."""
    box = child(award, "CONTRACT_VALUE_INFORMATION")
    return child(award, "INFORMATION_VALUE_CONTRACT") if box is None else box


def _award_title(award):
    return text(child(award, "CONTRACT_TITLE")) or text(child(award, "TITLE_CONTRACT"))


def read_r208(path: Path, root, form) -> Notice:
    """What one R2.0.8 file says, by the mapping of docs/readers.md."""
    fd = form[0]
    # first section of each kind: CONTRACTING..., OBJECT..., PROCEDURE(S)...
    parts = {local(c).split("_")[0].replace("PROCEDURES", "PROCEDURE"): c
             for c in reversed(list(fd))}
    authority = parts.get("CONTRACTING")
    proc = parts.get("PROCEDURE")
    obj = parts.get("OBJECT")
    ptype = next((R208_PROCEDURES[local(e)] for e in (proc.iter() if proc is not None else [])
                  if local(e) in R208_PROCEDURES), None)
    profile = next(iter(_descendants(authority, "CA_CE_CONCESSIONAIRE_PROFILE")), None)
    country = child(profile, "COUNTRY")
    cpv = next(iter(_descendants(obj, "CPV_MAIN")), None)
    cpv = child(cpv, "CPV_CODE")
    names = {local(e) for e in obj.iter()} if obj is not None else set()
    n = Notice(path.name, pub_number(root.get("DOC_ID")), R208_KINDS.get(local(form), "other"),
               f"F{int(form.get('FORM')):02d}", ptype,
               _country(country.get("VALUE") if country is not None else None),
               cpv.get("CODE") if cpv is not None else None,
               any("FRAMEWORK_AGREEMENT" in x for x in names))
    refs = [text(e) for c in _descendants(proc, "CNT_NOTICE_INFORMATION")
            for e in _descendants(c, "NOTICE_NUMBER_OJ")]
    refs += [text(e) for e in _descendants(proc, "NOTICE_NUMBER_OJ")]
    ref = refs[0] if refs else text(child(child(child(
        child(root, "CODED_DATA_SECTION"), "NOTICE_DATA"), "REF_NOTICE"), "NO_DOC_OJS"))
    n.procedure_id = pub_number(ref) or n.notice_id
    final = child(child(obj, "TOTAL_FINAL_VALUE"), "COSTS_RANGE_AND_CURRENCY_WITH_VAT_RATE")
    if final is None:  # utilities
        final = child(obj, "COSTS_RANGE_AND_CURRENCY_WITH_VAT_RATE")
    if final is not None:
        n.total, n.total_currency = _cost(final)
    awards = []
    for c in fd:
        if local(c).startswith("AWARD_OF_CONTRACT"):
            awards.append(c)
        elif local(c) == "AWARD_CONTRACT_CONTRACT_AWARD_UTILITIES":
            awards.extend(children(c, "AWARD_AND_CONTRACT_VALUE") or [c])
    annexes = [e for e in obj.iter() if local(e).endswith("ANNEX_B")] if obj is not None else []
    divided = any(x.endswith("DIV_INTO_LOT_YES") for x in names) if annexes else any(
        child(a, "LOT_NUMBER") is not None for a in awards)
    # the lots: described (ANNEX_B), else those the awards number
    described = [(text(child(a, "LOT_NUMBER")), text(child(a, "LOT_TITLE")),
                  next(iter(_descendants(a, "COSTS_RANGE_AND_CURRENCY")), None))
                 for a in annexes]
    if not annexes and not awards:
        described.append((None, None, None))
    if not annexes:
        seen = set()
        for a in awards:
            num = text(child(a, "LOT_NUMBER"))
            key = num.lower() if num else None
            if key in seen or (not divided and described):
                continue
            seen.add(key)
            est = child(_value_box(a), "INITIAL_ESTIMATED_TOTAL_VALUE_CONTRACT")
            described.append((num, _award_title(a),
                              est if divided or len(awards) == 1 else None))
    ids, by_text, by_title, by_num = _lot_index([(r, t) for r, t, _ in described], divided)
    for lot, (_, _, est) in zip(ids, described, strict=True):
        n.lots[lot], n.lot_currency[lot] = _cost(est) if est is not None else (None, None)
    crit = {local(e) for e in proc.iter()} if proc is not None else set()
    # utilities forms: <PRICE_AWARD_CRITERIA PRICE="LOWEST_PRICE|MOST_ECONOMICALLY_TENDER"/>
    crit |= {e.get("PRICE") for e in _descendants(proc, "PRICE_AWARD_CRITERIA")
             if e.get("PRICE")}
    price_only = (False if any(c.startswith("MOST_ECONOMICALLY") for c in crit)
                  else True if "LOWEST_PRICE" in crit else None)
    n.price_only = dict.fromkeys(ids, price_only)
    for a in awards:
        raw = text(child(a, "LOT_NUMBER"))
        lots = _links(raw, _award_title(a) if not raw else None, divided,
                      ids, by_text, by_title, by_num)
        if len(a) == 0:
            n.awards.append(Award(raw, lots, None, None, None, None, None, []))
            continue
        offers = text(child(a, "OFFERS_RECEIVED_NUMBER"))
        final = child(_value_box(a), "COSTS_RANGE_AND_CURRENCY_WITH_VAT_RATE")
        value, cur = _cost(final) if final is not None else (None, None)
        winners = []
        for op in (children(a, "ECONOMIC_OPERATOR_NAME_ADDRESS")
                   + children(a, "CONTACT_DATA_WITHOUT_RESPONSIBLE_NAME_CHP")):
            reg = next((text(e) for e in _descendants(op, "NATIONALID")), None)
            name = next((text(e) for e in _descendants(op, "OFFICIALNAME")), None)
            co = next(iter(_descendants(op, "COUNTRY")), None)
            winners.append((reg.replace(" ", "") if reg else None,
                            None if reg else (name or "").lower(),
                            _country(co.get("VALUE") if co is not None else None), None))
        n.awards.append(Award(raw, lots, True, int(offers) if offers else None, None, value,
                              cur, winners))
    return n


def lot_results(n: Notice) -> dict[str, dict]:
    """Lot results of a notice by the documented rule: one per lot named; an
    award naming several lots gives each an equal share of its value, its
    winners, and its tender counts only when one tender was received."""
    out: dict[str, dict] = {}
    for a in n.awards:
        share = 1 / len(a.lots)
        for lot in a.lots:
            r = out.setdefault(lot, {"awarded": None, "tenders": [], "sme": [], "values": [],
                                     "currencies": set(), "winners": []})
            if a.awarded is False and r["awarded"] is None:
                r["awarded"] = False
            if not a.awarded:
                continue
            r["awarded"] = True
            if len(a.lots) == 1 or a.tenders == 1:
                if a.tenders is not None:
                    r["tenders"].append(a.tenders)
                if a.sme is not None:
                    r["sme"].append(a.sme)
            if a.value is not None:
                r["values"].append(a.value * share)
                r["currencies"].add(a.currency)
            r["winners"].extend(a.winners)
    awarded = [lot for lot, r in out.items() if r["awarded"]]
    for lot, r in out.items():
        value = cur = None
        if r["values"] and len(r["currencies"]) == 1:
            value = max(r["values"]) if n.framework else sum(r["values"])
            cur = next(iter(r["currencies"]))
        if value is None and n.total is not None and r["awarded"]:
            value, cur = n.total / len(awarded), n.total_currency
        if value is None and n.lots.get(lot) is not None:
            value, cur = n.lots[lot], n.lot_currency[lot]
        ids = {(w[0] if w[0] else w[1], w[2]) for w in r["winners"]}
        first = next(iter(r["winners"]), None)
        r.update(tenders=max(r["tenders"]) if r["tenders"] else None,
                 fi_business_id=bool(first and first[0]
                                     and re.fullmatch(r"(FI-)?\d{7}-\d", first[0])
                                     and first[2] in ("FI", None)),
                 sme=max(r["sme"]) if r["sme"] else None, value=value, currency=cur,
                 n_winners=len(ids) or None,
                 sme_winner=(r["winners"][0][3] if r["winners"] else None))
    return out


def files() -> list[Path]:
    return sorted(p for d in FOLDERS for p in d.glob("*.xml"))

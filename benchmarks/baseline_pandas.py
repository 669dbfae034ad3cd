"""A straightforward pandas implementation of the indicator catalogue.

This is the baseline of ``bench_indicators.py``: plain pandas as an analyst
would write it - ``read_parquet``, ``merge``, ``groupby`` and boolean masks,
one block of code per indicator - with no narwhals, no engine abstraction and
no import from :mod:`keino_metrics`. It follows the catalogue's definitions
(docs/indicators.md and the family modules) for the ids in :data:`IDS`, by
year and buyer region, on the same unit frames:

* awarded **lot results** (result-notice year; lot attributes and Hilma answers
  from the result notice, completed from the procedure's contract notices);
* **notices** of every type (publication year);
* **procedures** with a result notice (year of the first result notice);
* capability **survey** responses (survey year).

Families covered (ids per family in :data:`FAMILIES`):

* volume: ``KEINO-VOL-*`` (4);
* KEINO strategic shares ``KEINO-INNOV-*``, ``KEINO-GREEN-*``,
  ``KEINO-SOCIAL-*``, ``KEINO-LOWCARBON-N``, ``KEINO-CIRC-N``, ``KEINO-GPP-N``
  and the 10 % target candidates ``FI-10PCT-*``, including
  ``FI-10PCT-MKT-VOL31`` (new-to-market euros over the national volume);
* markets: ``KEINO-MKT-*`` (mean tenders, market dialogue, innovation
  partnerships, supplier concentration HHI and top-supplier share per buyer)
  and ``FI-SME-CONS``;
* Single Market Scoreboard ``SMS-01`` .. ``SMS-13`` (``SMS-03`` over GDP);
* integrity: ``OT-I1`` .. ``OT-I5``, ``RF-R003``, ``RF-R018``, ``RF-R048``
  (fence over suppliers), ``RF-R058``;
* eForms strategic shares ``EF-*``;
* data quality ``DQ-*``;
* capability indices ``CAP-STRATEGY`` .. ``CAP-OVERALL``.

Not covered: the Cronbach's alpha indicators ``CAP-*-ALPHA``. Their result
has no numerator or denominator (only a value), so the benchmark's
comparison, which checks numerators and denominators, would check nothing;
they run on the small survey table and say nothing about speed on lots.

Published constants (Finnish GDP for ``SMS-03``, the national procurement
volume for ``FI-10PCT-MKT-VOL31``) are read from the tables shipped in
``keino_metrics/data/indicators``, as an analyst would read the published
figures; definition parameters (15 days, 0.5, 2 CPV digits, 20 processes) are
the catalogue's defaults.

Returns one row per indicator x year x region with ``numerator`` and
``denominator`` (``NaN`` for totals) so that the benchmark can check the
engine's numbers against it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

HILMA_ENV = ["energy_efficiency", "low_carbon", "circular_economy", "biodiversity",
             "sustainable_food", "listed_green_criteria_used"]
HILMA_SOCIAL = ["fair_working_conditions", "employment_condition", "code_of_conduct"]
HILMA = ["solution_new_to_market", "solution_new_to_buyer", "innovation_considered",
         *HILMA_ENV, *HILMA_SOCIAL]
ENV_CODES = ["biodiv-eco", "circ-econ", "clim-adapt", "clim-mitig", "pollu-prev",
             "water-mar", "other"]
COMPETITIVE = ["open", "restricted", "neg-w-call", "comp-dial", "innovation"]
SME_SIZES = ["micro", "small", "medium", "sme"]
TED_SOURCES = ["eforms", "ted-legacy", "ted-csv"]
SURVEY_CONSTRUCTS = ["strategy", "leadership", "competence", "dialogue", "followup"]
SURVEY_ITEMS = [f"{c}_{i}" for c in SURVEY_CONSTRUCTS for i in (1, 2, 3)]
REGNO = r"^[0-9]{7}-[0-9]$"
#: Catalogue defaults of the definition parameters.
R003_DAYS = 15
R058_THRESHOLD = 0.5
R048_DIGITS = 2
R048_MIN_PROCESSES = 20

DATA = Path(__file__).resolve().parents[1] / "keino_metrics" / "data" / "indicators"

#: Lot attributes read from ``lots`` (completed from contract notices when empty).
LOT_PLAIN = ["contract_nature", "cpv_main", "price_only_award", "framework_agreement",
             "submission_deadline"]
#: Flags derived from the lists of codes on ``lots``.
LOT_FLAGS = ["sp_present", "sp_env", "sp_soc", "sp_inn", "env_any", "soc_any", "inn_any",
             "gpp_present", "gpp_yes", "acc_present", "acc_inc",
             *["env_" + c.replace("-", "_") for c in ENV_CODES]]

#: Data-quality indicators: (id, lot-result or notice column, is a flag).
DQ = [
    ("DQ-AWARDS-TENDERS_RECEIVED", "tenders", False),
    ("DQ-AWARDS-SME_TENDERS_RECEIVED", "sme_tenders", False),
    ("DQ-AWARDS-AWARDED_VALUE_EUR", "value_eur", False),
    ("DQ-AWARDS-WINNER_ID", "winner_id", False),
    ("DQ-AWARDS-WINNER_SIZE", "winner_size", False),
    ("DQ-AWARDS-DECISION_DATE", "decision_date", False),
    ("DQ-LOTS-CONTRACT_NATURE", "contract_nature", False),
    ("DQ-LOTS-CPV_MAIN", "cpv_main", False),
    ("DQ-LOTS-PRICE_ONLY_AWARD", "price_only_award", False),
    ("DQ-LOTS-FRAMEWORK_AGREEMENT", "framework_agreement", False),
    ("DQ-LOTS-SUBMISSION_DEADLINE", "submission_deadline", False),
    ("DQ-LOTS-STRATEGIC_PROCUREMENT", "sp_present", True),
    ("DQ-LOTS-GREEN_PROCUREMENT", "env_any", True),
    ("DQ-LOTS-SOCIAL_OBJECTIVE", "soc_any", True),
    ("DQ-LOTS-INNOVATION", "inn_any", True),
    ("DQ-LOTS-GPP_CRITERIA", "gpp_present", True),
    *[(f"DQ-HILMA-{c.upper()}", c, False) for c in (
        "innovation_considered", "solution_new_to_buyer", "solution_new_to_market",
        "energy_efficiency", "low_carbon", "circular_economy", "listed_green_criteria_used",
        "fair_working_conditions")],
    ("DQ-BUYERS-LEGAL_TYPE", "legal_type", False),
    ("DQ-BUYERS-REGION_CODE", "region_code", False),
]

#: Indicator ids per family, in the order the baseline computes them.
FAMILIES: dict[str, list[str]] = {
    "volume": ["KEINO-VOL-NOTICES", "KEINO-VOL-LOTS", "KEINO-VOL-EUR", "KEINO-VOL-PROC"],
    "strategic": [f"{p}-{s}" for p in ("KEINO-INNOV-MKT", "KEINO-INNOV-BUY", "KEINO-INNOV-EF",
                                       "KEINO-GREEN", "KEINO-SOCIAL") for s in ("N", "EUR")]
    + ["KEINO-INNOV-CONS-N", "KEINO-LOWCARBON-N", "KEINO-CIRC-N", "KEINO-GPP-N"],
    "innovation-target": [f"FI-10PCT-{p}-{s}" for p in ("MKT", "BUY", "EF")
                          for s in ("N", "EUR")] + ["FI-10PCT-MKT-VOL31"],
    "markets": ["KEINO-MKT-TENDERS", "KEINO-MKT-DIALOGUE", "KEINO-MKT-INNOVPART",
                "KEINO-MKT-HHI", "KEINO-MKT-TOPSHARE", "FI-SME-CONS"],
    "scoreboard": [f"SMS-{k:02d}" for k in range(1, 14)],
    "integrity": ["RF-R003", "RF-R018", "OT-I1", "OT-I2", "OT-I3", "OT-I4", "OT-I5",
                  "RF-R048", "RF-R058"],
    "eforms": [f"EF-{p}-{s}" for s in ("N", "EUR") for p in ("STRAT", "GREEN", "SOCIAL",
                                                             "INNOV")]
    + ["EF-GPP", "EF-ACCESS", "EF-COMPLETE", "EF-CVD-CLEAN"]
    + [f"EF-GREEN-{c.upper()}" for c in ENV_CODES],
    "quality": [i for i, _, _ in DQ] + ["DQ-NOTICES-PROCEDURE_TYPE"],
    "capability": [f"CAP-{c.upper()}" for c in (*SURVEY_CONSTRUCTS, "overall")],
}
#: Ids computed here whose engine numbers differ, with the reason (left out of :data:`IDS`).
ENGINE_DIFFERS: dict[str, str] = {}
#: Indicator ids the baseline computes and the benchmark compares.
IDS = [i for ids in FAMILIES.values() for i in ids if i not in ENGINE_DIFFERS]

KEYS = ["year", "region_code"]
MISSING = "(missing)"


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------

def _read(d: Path, name: str, columns: list[str]) -> pd.DataFrame:
    """``columns`` of ``<d>/<name>.parquet``; absent columns (or file) as nulls."""
    path = d / f"{name}.parquet"
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    have = set(pq.read_schema(path).names)
    df = pd.read_parquet(path, columns=[c for c in columns if c in have])
    for c in columns:
        if c not in df:
            df[c] = None
    return df


def _bool(s: pd.Series) -> pd.Series:
    return s.astype("boolean")


def _t(s: pd.Series) -> pd.Series:
    """A flag with not-reported read as false (plain numpy booleans)."""
    return s.astype("boolean").fillna(False).astype(bool)


def _day(s: pd.Series) -> pd.Series:
    """Calendar day of a timestamp column (the time of day dropped)."""
    return pd.to_datetime(s).dt.normalize()


def _list_flags(lots: pd.DataFrame, col: str, codes: dict[str, list[str] | None]
                ) -> pd.DataFrame:
    """Per lot row: for every output name, whether the list ``col`` holds one of the codes.

    ``None`` as codes means "the list is not empty". A missing list gives a missing flag.
    """
    s = lots[col]
    missing = s.isna()
    e = s.explode()
    out = {}
    for name, wanted in codes.items():
        hit = e.notna() if wanted is None else e.isin(wanted)
        flag = hit.groupby(level=0).any().astype("boolean")
        flag[missing] = pd.NA
        out[name] = flag
    return pd.DataFrame(out, index=lots.index)


# ---------------------------------------------------------------------------
# unit frames
# ---------------------------------------------------------------------------

def read_tables(d: str | Path) -> dict[str, pd.DataFrame]:
    """The canonical tables with the columns the indicators read.

    ``lots`` holds the lot attributes of :func:`lot_attributes` (the lists of
    codes are read into flags once and not kept).
    """
    d = Path(d)
    survey = _read(d, "capability_survey", ["unit", "buyer_id", "year", *SURVEY_ITEMS])
    if survey["unit"].isna().all() and survey["buyer_id"].notna().any():
        survey["unit"] = survey["buyer_id"]
    return {
        "notices": _read(d, "notices", ["notice_id", "procedure_id", "notice_type",
                                        "publication_date", "buyer_id", "procedure_type",
                                        "source", "central_purchasing_body"]),
        "buyers": _read(d, "buyers", ["buyer_id", "legal_type", "region_code"]),
        "lots": lot_attributes(_read(d, "lots", [
            "notice_id", "lot_id", *LOT_PLAIN, "strategic_procurement", "green_procurement",
            "social_objective", "innovation", "gpp_criteria", "accessibility"])),
        "awards": _read(d, "awards", ["notice_id", "lot_id", "winner_chosen", "winner_id",
                                      "winner_size", "tenders_received",
                                      "sme_tenders_received", "awarded_value_eur",
                                      "decision_date", "cvd_vehicles", "cvd_vehicles_clean",
                                      "lowest_tender_value_eur",
                                      "highest_tender_value_eur"]),
        "hilma": _read(d, "hilma_statistics", ["notice_id", "lot_id", *HILMA,
                                                "sme_participation_considered"]).astype(
            {c: "boolean" for c in [*HILMA, "sme_participation_considered"]}),
        "survey": survey,
    }


def buyer_attributes(buyers: pd.DataFrame) -> pd.DataFrame:
    """Legal type and region per buyer id (the largest value if a buyer repeats)."""
    return buyers.groupby("buyer_id")[["legal_type", "region_code"]].max()


def procedure_info(notices: pd.DataFrame, lots: pd.DataFrame) -> pd.DataFrame:
    """Per procedure: first CN, PIN and CAN dates, buyers, procedure type and lots."""
    n = notices
    t = n["notice_type"]
    d = n["publication_date"]
    dates = pd.DataFrame({"procedure_id": n["procedure_id"],
                          "first_cn_date": d.where(t == "cn"),
                          "first_pin_date": d.where(t == "pin")})
    info = dates.groupby("procedure_id").min()
    g = n.groupby("procedure_id")
    info["n_buyers"] = g["buyer_id"].nunique(dropna=False)
    info["procedure_type_any"] = g["procedure_type"].max()
    info["cpb"] = _bool(n["central_purchasing_body"]).groupby(n["procedure_id"]).max()
    lp = lots[["notice_id", "lot_id"]].merge(n[["notice_id", "procedure_id"]], on="notice_id")
    info["n_lots"] = lp.groupby("procedure_id")["lot_id"].nunique(dropna=False)
    return info


def lot_attributes(lots: pd.DataFrame) -> pd.DataFrame:
    """Plain lot attributes and the flags read from the lists of codes, per lot row."""
    lots = lots.reset_index(drop=True)
    return pd.concat([
        lots[["notice_id", "lot_id"]],
        lots[LOT_PLAIN].astype({"price_only_award": "boolean", "framework_agreement": "boolean",
                                "submission_deadline": "datetime64[us]"}),
        _list_flags(lots, "strategic_procurement", {
            "sp_present": None, "sp_env": ["env-imp"], "sp_soc": ["soc-obj"],
            "sp_inn": ["inn-pur"]}),
        _list_flags(lots, "green_procurement", {
            "env_any": None, **{"env_" + c.replace("-", "_"): [c] for c in ENV_CODES}}),
        _list_flags(lots, "social_objective", {"soc_any": None}),
        _list_flags(lots, "innovation", {"inn_any": None}),
        _list_flags(lots, "gpp_criteria", {"gpp_present": None,
                                           "gpp_yes": ["eu", "national", "other"]}),
        _list_flags(lots, "accessibility", {"acc_present": None, "acc_inc": ["inc"]}),
    ], axis=1)


def lot_results(tables: dict[str, pd.DataFrame], info: pd.DataFrame,
                buyers: pd.DataFrame) -> pd.DataFrame:
    """One row per awarded lot result with every field the indicators read."""
    notices, attrs = tables["notices"], tables["lots"]
    acols = [*LOT_PLAIN, *LOT_FLAGS]
    hilma = tables["hilma"][["notice_id", "lot_id", *HILMA]]

    # contract-notice values complete the result notice's own (largest over CNs)
    cn = notices.loc[notices["notice_type"] == "cn", ["notice_id", "procedure_id"]]
    cn_attrs = (attrs.merge(cn, on="notice_id").groupby(["procedure_id", "lot_id"])[acols]
                .max().add_suffix("_cn").reset_index())
    cn_hilma = (hilma.merge(cn, on="notice_id").groupby(["procedure_id", "lot_id"])[HILMA]
                .max().add_suffix("_cn").reset_index())

    awards = tables["awards"]
    chosen = _bool(awards["winner_chosen"])
    awarded = chosen.fillna(False) | (chosen.isna() & awards["winner_id"].notna())
    can = notices[notices["notice_type"] == "can"]
    lr = (awards[awarded.to_numpy(bool)].drop(columns="winner_chosen")
          .merge(can, on="notice_id")
          .merge(attrs, on=["notice_id", "lot_id"], how="left")
          .merge(hilma, on=["notice_id", "lot_id"], how="left")
          .merge(cn_attrs, on=["procedure_id", "lot_id"], how="left")
          .merge(cn_hilma, on=["procedure_id", "lot_id"], how="left")
          .merge(info, left_on="procedure_id", right_index=True, how="left")
          .merge(buyers, left_on="buyer_id", right_index=True, how="left"))
    for c in acols + HILMA:
        lr[c] = lr[c].fillna(lr.pop(c + "_cn"))
    lr["procedure_type"] = lr["procedure_type"].fillna(lr["procedure_type_any"])
    lr["value_eur"] = lr["awarded_value_eur"].astype(float)
    lr["tenders"] = lr["tenders_received"].astype(float)
    lr["sme_tenders"] = lr["sme_tenders_received"].astype(float)
    deadline = _day(lr["submission_deadline"])
    lr["decision_days"] = (_day(lr["decision_date"]) - deadline).dt.days.astype(float)
    lr["advert_days"] = (deadline - _day(lr["first_cn_date"])).dt.days.astype(float)
    lr["prior_call"] = (lr["first_cn_date"] <= lr["publication_date"]).fillna(False)
    lr["year"] = lr["publication_date"].dt.year
    return _by(lr)


def notice_frame(tables: dict[str, pd.DataFrame], info: pd.DataFrame, buyers: pd.DataFrame,
                 lr: pd.DataFrame) -> pd.DataFrame:
    """One row per notice with Hilma SME answer, awarded lots and procedure information."""
    n = tables["notices"]
    h = tables["hilma"]
    sme = (_bool(h["sme_participation_considered"]).groupby(h["notice_id"]).max()
           .rename("sme_considered"))
    per = (lr.assign(no_value=lr["value_eur"].isna()).groupby("notice_id")
           .agg(n_awarded=("no_value", "size"), n_value_missing=("no_value", "sum")))
    out = (n.merge(sme, left_on="notice_id", right_index=True, how="left")
           .merge(per, left_on="notice_id", right_index=True, how="left")
           .merge(info, left_on="procedure_id", right_index=True, how="left")
           .merge(buyers, left_on="buyer_id", right_index=True, how="left"))
    out["procedure_type"] = out["procedure_type"].fillna(out["procedure_type_any"])
    out["prior_call"] = (out["first_cn_date"] <= out["publication_date"]).fillna(False)
    out["n_awarded"] = out["n_awarded"].fillna(0)
    out["n_value_missing"] = out["n_value_missing"].fillna(0)
    out["year"] = out["publication_date"].dt.year
    return _by(out)


def procedure_frame(tables: dict[str, pd.DataFrame], info: pd.DataFrame,
                    buyers: pd.DataFrame) -> pd.DataFrame:
    """One row per procedure with a result notice (year and buyer of the first one)."""
    n = tables["notices"]
    can = n[n["notice_type"] == "can"]
    proc = can.groupby("procedure_id").agg(publication_date=("publication_date", "min"),
                                          buyer_id=("buyer_id", "min"))
    proc = (proc.join(info, how="left").reset_index()
            .merge(buyers, left_on="buyer_id", right_index=True, how="left"))
    proc["procedure_type"] = proc["procedure_type_any"]
    proc["cooperative"] = (proc["n_buyers"] > 1) | _t(proc["cpb"])
    proc["pin_before_cn"] = (proc["first_pin_date"] < proc["first_cn_date"]).fillna(False)
    proc["year"] = proc["publication_date"].dt.year
    return _by(proc)


def survey_frame(tables: dict[str, pd.DataFrame], buyers: pd.DataFrame) -> pd.DataFrame:
    """One row per survey response with the responding unit's region."""
    s = tables["survey"].rename(columns={"buyer_id": "_buyer"})
    s = s.merge(buyers, left_on="unit", right_index=True, how="left")
    s["buyer_id"] = s["unit"]
    for c in SURVEY_ITEMS:
        s[c] = s[c].astype(float)
    return _by(s)


def _by(df: pd.DataFrame) -> pd.DataFrame:
    """Year and region as group keys (a missing region becomes its own group)."""
    df = df.reset_index(drop=True)
    df["year"] = df["year"].astype("Int64")
    df["region_code"] = df["region_code"].astype(object).where(df["region_code"].notna(),
                                                               MISSING)
    return df


# ---------------------------------------------------------------------------
# measures
# ---------------------------------------------------------------------------

def _sums(f: pd.DataFrame, iid: str, num, den) -> pd.DataFrame:
    g = (pd.DataFrame({"year": f["year"], "region_code": f["region_code"],
                       "numerator": np.asarray(num, float), "denominator": np.asarray(den, float)})
         .groupby(KEYS, dropna=False)[["numerator", "denominator"]].sum().reset_index())
    g.insert(0, "indicator_id", iid)
    return g


def ratio(f: pd.DataFrame, iid: str, num, eligible, den=None, weight: str = "count"
          ) -> pd.DataFrame:
    """``sum(num) / sum(den)`` over the ``eligible`` rows of ``f`` by year and region.

    ``num`` is a flag or a number (missing counts as 0); without ``den`` each row
    weighs 1 (``weight="count"``) or its awarded value (``"eur"``, which also
    requires a known value).
    """
    num = pd.Series(num, index=f.index).astype(float).fillna(0.0)
    eligible = pd.Series(eligible, index=f.index).fillna(False).astype(bool)
    if weight == "eur":
        w = f["value_eur"]
        eligible = eligible & w.notna()
        num, den = num * w, w
    elif den is None:
        den = pd.Series(1.0, index=f.index)
    else:
        den = pd.Series(den, index=f.index).astype(float).fillna(0.0)
    return _sums(f, iid, num.where(eligible, 0.0), den.where(eligible, 0.0))


def total(f: pd.DataFrame, iid: str, value: str | None = None) -> pd.DataFrame:
    """Row count (or sum of ``value``) by year and region; denominator ``NaN``."""
    v = np.ones(len(f)) if value is None else f[value].astype(float).fillna(0.0)
    return _sums(f, iid, v, np.full(len(f), np.nan)).assign(denominator=np.nan)


# ---------------------------------------------------------------------------
# families
# ---------------------------------------------------------------------------

def strategic(lr: pd.DataFrame) -> list[pd.DataFrame]:
    """KEINO strategic shares and the 10 % target candidates."""
    def t(c):
        return _t(lr[c])

    def k(c):
        return lr[c].notna()

    ef_reported = t("sp_present") | t("env_any") | t("soc_any") | t("inn_any") | t("gpp_present")
    ef_innov = t("sp_inn") | t("inn_any") | (lr["procedure_type"] == "innovation").fillna(False)
    env_yes = np.logical_or.reduce([t(c) for c in HILMA_ENV])
    env_known = np.logical_or.reduce([k(c) for c in HILMA_ENV])
    soc_yes = np.logical_or.reduce([t(c) for c in HILMA_SOCIAL])
    soc_known = np.logical_or.reduce([k(c) for c in HILMA_SOCIAL])
    out = []
    for s, w in (("N", "count"), ("EUR", "eur")):
        for p in ("KEINO-INNOV", "FI-10PCT"):
            out.append(ratio(lr, f"{p}-MKT-{s}", t("solution_new_to_market"),
                             k("solution_new_to_market"), weight=w))
            out.append(ratio(lr, f"{p}-BUY-{s}", t("solution_new_to_buyer"),
                             k("solution_new_to_buyer"), weight=w))
            out.append(ratio(lr, f"{p}-EF-{s}", ef_innov, t("sp_present"), weight=w))
        out.append(ratio(lr, f"KEINO-GREEN-{s}", env_yes | t("sp_env") | t("env_any")
                         | t("gpp_yes"), env_known | ef_reported, weight=w))
        out.append(ratio(lr, f"KEINO-SOCIAL-{s}", soc_yes | t("sp_soc") | t("soc_any"),
                         soc_known | ef_reported, weight=w))
    out.append(ratio(lr, "KEINO-INNOV-CONS-N", t("innovation_considered"),
                     k("innovation_considered")))
    out.append(ratio(lr, "KEINO-LOWCARBON-N", t("low_carbon") | t("env_clim_mitig"),
                     k("low_carbon") | ef_reported))
    out.append(ratio(lr, "KEINO-CIRC-N", t("circular_economy") | t("env_circ_econ"),
                     k("circular_economy") | ef_reported))
    out.append(ratio(lr, "KEINO-GPP-N", t("listed_green_criteria_used") | t("gpp_yes"),
                     k("listed_green_criteria_used") | t("gpp_present")))
    # new-to-market euros over the national volume from competitive markets
    vol = pd.read_csv(DATA / "fi_procurement_volume.csv")
    national = float(vol.loc[vol["scope"] == "competitive_markets", "value_eur"].iloc[0])
    part = _sums(lr, "FI-10PCT-MKT-VOL31",
                 lr["value_eur"].fillna(0.0).where(t("solution_new_to_market"), 0.0),
                 np.zeros(len(lr)))
    out.append(part.assign(denominator=national))
    return out


def eforms(lr: pd.DataFrame) -> list[pd.DataFrame]:
    """eForms strategic-procurement shares (EF-*)."""
    def t(c):
        return _t(lr[c])

    reported = t("sp_present") | t("env_any") | t("soc_any") | t("inn_any") | t("gpp_present")
    out = []
    for s, w in (("N", "count"), ("EUR", "eur")):
        out.append(ratio(lr, f"EF-STRAT-{s}", t("sp_env") | t("sp_soc") | t("sp_inn"),
                         t("sp_present"), weight=w))
        out.append(ratio(lr, f"EF-GREEN-{s}", t("sp_env") | t("env_any") | t("gpp_yes"),
                         reported, weight=w))
        out.append(ratio(lr, f"EF-SOCIAL-{s}", t("sp_soc") | t("soc_any"), reported, weight=w))
        innov = t("sp_inn") | t("inn_any") | (lr["procedure_type"] == "innovation").fillna(False)
        out.append(ratio(lr, f"EF-INNOV-{s}", innov, t("sp_present"), weight=w))
    out.append(ratio(lr, "EF-GPP", t("gpp_yes"), t("gpp_present")))
    out.append(ratio(lr, "EF-ACCESS", t("acc_inc"), t("acc_present")))
    out.append(ratio(lr, "EF-COMPLETE", t("sp_present"), True))
    vehicles = lr["cvd_vehicles"].astype(float)
    clean = lr["cvd_vehicles_clean"].astype(float)
    out.append(ratio(lr, "EF-CVD-CLEAN", clean, (vehicles > 0) & clean.notna(), den=vehicles))
    for code in ENV_CODES:
        out.append(ratio(lr, f"EF-GREEN-{code.upper()}", t("env_" + code.replace("-", "_")),
                         reported))
    return out


def _concentration(lr: pd.DataFrame) -> list[pd.DataFrame]:
    """Per-buyer HHI and top-supplier share of awarded euros, summed over buyers."""
    ok = lr["value_eur"].notna() & lr["winner_id"].notna() & (lr["value_eur"] > 0)
    buyer = lr["buyer_id"].astype(object).where(lr["buyer_id"].notna(), MISSING)
    x = pd.DataFrame({"year": lr["year"], "region_code": lr["region_code"], "buyer": buyer,
                      "winner": lr["winner_id"], "v": lr["value_eur"]})[ok.to_numpy(bool)]
    pairs = x.groupby([*KEYS, "buyer", "winner"], dropna=False)["v"].sum().reset_index()
    pairs["s"] = pairs["v"] / pairs.groupby([*KEYS, "buyer"], dropna=False)["v"].transform("sum")
    pairs["s2"] = pairs["s"] ** 2
    per = pairs.groupby([*KEYS, "buyer"], dropna=False).agg(hhi=("s2", "sum"),
                                                            top=("s", "max")).reset_index()
    groups = lr[KEYS].drop_duplicates()
    out = []
    for iid, stat in (("KEINO-MKT-HHI", "hhi"), ("KEINO-MKT-TOPSHARE", "top")):
        g = per.groupby(KEYS, dropna=False).agg(numerator=(stat, "sum"),
                                                denominator=(stat, "size")).reset_index()
        g = groups.merge(g, on=KEYS, how="left").fillna({"numerator": 0.0, "denominator": 0.0})
        g.insert(0, "indicator_id", iid)
        out.append(g)
    return out


def markets(lr: pd.DataFrame, notices: pd.DataFrame, procs: pd.DataFrame
            ) -> list[pd.DataFrame]:
    """Markets family (KEINO-MKT-*, FI-SME-CONS)."""
    out = [ratio(lr, "KEINO-MKT-TENDERS", lr["tenders"], lr["tenders"] >= 1),
           ratio(procs, "KEINO-MKT-DIALOGUE", procs["pin_before_cn"],
                 procs["first_cn_date"].notna()),
           ratio(procs, "KEINO-MKT-INNOVPART", procs["procedure_type"] == "innovation",
                 procs["procedure_type"].notna())]
    out += _concentration(lr)
    out.append(ratio(notices, "FI-SME-CONS", _t(notices["sme_considered"]),
                     notices["notice_type"].isin(["cn", "can", "veat"])
                     & notices["sme_considered"].notna()))
    return out


def scoreboard(lr: pd.DataFrame, notices: pd.DataFrame, procs: pd.DataFrame
               ) -> list[pd.DataFrame]:
    """Single Market Scoreboard (SMS-01..13)."""
    tenders, sme = lr["tenders"], lr["sme_tenders"]
    out = [
        ratio(lr, "SMS-01", tenders == 1, ~_t(lr["framework_agreement"]) & (tenders >= 1)),
        ratio(procs, "SMS-02", procs["procedure_type"] == "neg-wo-call",
              procs["procedure_type"].notna()),
    ]
    # TED-published awarded euros over GDP of the year; years without GDP are left out
    gdp = pd.read_csv(DATA / "gdp_finland.csv", comment="#")
    ted = lr["source"].isin(TED_SOURCES)
    part = _sums(lr, "SMS-03", lr["value_eur"].fillna(0.0).where(ted, 0.0), np.zeros(len(lr)))
    part = part.merge(gdp[["year", "gdp_eur"]].astype({"year": "Int64"}), on="year")
    out.append(part.assign(denominator=part.pop("gdp_eur").astype(float)))
    days = lr["decision_days"]
    out += [
        ratio(procs, "SMS-04", procs["cooperative"], True),
        ratio(lr, "SMS-05", _t(lr["price_only_award"]), lr["price_only_award"].notna()),
        ratio(lr, "SMS-06", days, days.notna() & (days >= 0)),
        ratio(lr, "SMS-07", lr["winner_size"].isin(SME_SIZES), lr["winner_size"].notna()),
        ratio(lr, "SMS-08", sme, (tenders >= 1) & sme.notna() & (sme <= tenders), den=tenders),
        ratio(procs, "SMS-09", procs["n_lots"] >= 2, True),
        ratio(notices, "SMS-10", ~notices["prior_call"],
              (notices["notice_type"] == "can") & notices["procedure_type"].isin(COMPETITIVE)),
        ratio(lr, "SMS-11", ~lr["winner_id"].str.contains(REGNO, regex=True, na=False), True),
        ratio(notices, "SMS-12", notices["n_value_missing"] > 0,
              (notices["notice_type"] == "can") & (notices["n_awarded"] > 0)),
        ratio(lr, "SMS-13", _t(lr["sp_env"]) | _t(lr["sp_soc"]) | _t(lr["sp_inn"]), True),
    ]
    return out


def _heterogeneous(lr: pd.DataFrame) -> pd.DataFrame:
    """RF-R048: lot results won by suppliers spanning unusually many CPV divisions."""
    ok = lr["winner_id"].notna() & lr["cpv_main"].notna()
    x = lr.loc[ok, ["winner_id", "cpv_main", "procedure_id"]]
    g = x.assign(cpv=x["cpv_main"].str.slice(0, R048_DIGITS)).groupby("winner_id")
    per = pd.DataFrame({"variety": g["cpv"].nunique(),
                        "processes": g["procedure_id"].nunique(dropna=False)})
    pool = per.loc[per["processes"] >= R048_MIN_PROCESSES, "variety"].to_numpy(float)
    flagged: list[str] = []
    if len(pool) >= 4:
        q1, q3 = np.percentile(pool, [25, 75])
        flagged = per.index[per["variety"] >= q3 + 1.5 * (q3 - q1)].tolist()
    return ratio(lr, "RF-R048", lr["winner_id"].isin(flagged), ok)


def integrity(lr: pd.DataFrame) -> list[pd.DataFrame]:
    """Opentender and red-flag indicators (OT-*, RF-*)."""
    ptype, tenders = lr["procedure_type"], lr["tenders"]
    known = ptype.notna()
    has_cn = lr["first_cn_date"].notna()
    advert, decision = lr["advert_days"], lr["decision_days"]
    competitive = known & ptype.isin(COMPETITIVE)
    low, high = lr["lowest_tender_value_eur"].astype(float), \
        lr["highest_tender_value_eur"].astype(float)
    return [
        ratio(lr, "RF-R003", advert < R003_DAYS, has_cn & advert.notna()),
        ratio(lr, "RF-R018", tenders == 1,
              known & ptype.isin(["open", "restricted"]) & (tenders >= 1)),
        ratio(lr, "OT-I1", tenders == 1, known & (ptype != "neg-wo-call") & (tenders >= 1)),
        ratio(lr, "OT-I2", ~lr["prior_call"], competitive),
        ratio(lr, "OT-I3", ptype != "open", known),
        ratio(lr, "OT-I4", advert, has_cn & advert.notna()),
        ratio(lr, "OT-I5", decision, decision.notna() & (decision >= 0)),
        _heterogeneous(lr),
        ratio(lr, "RF-R058", (high - low) / low >= R058_THRESHOLD,
              (tenders == 2) & low.notna() & high.notna() & (low > 0)),
    ]


def quality(lr: pd.DataFrame, notices: pd.DataFrame) -> list[pd.DataFrame]:
    """Completeness of each field the catalogue reads (DQ-*)."""
    def reported(col: str, is_flag: bool) -> pd.Series:
        if col == "region_code":  # a group key here: not reported is the missing group
            return lr[col] != MISSING
        return _t(lr[col]) if is_flag else lr[col].notna()

    out = [ratio(lr, iid, reported(col, is_flag), True) for iid, col, is_flag in DQ]
    out.append(ratio(notices, "DQ-NOTICES-PROCEDURE_TYPE", notices["procedure_type"].notna(),
                     True))
    return out


def capability(survey: pd.DataFrame) -> list[pd.DataFrame]:
    """Capability indices: mean over responses of the 0-100 rescaled item mean."""
    out = []
    for con in (*SURVEY_CONSTRUCTS, "overall"):
        items = SURVEY_ITEMS if con == "overall" else [f"{con}_{i}" for i in (1, 2, 3)]
        answered = survey[items].notna().sum(axis=1)
        index = (survey[items].sum(axis=1) / answered - 1.0) / 4.0 * 100.0
        out.append(ratio(survey, f"CAP-{con.upper()}", index.where(answered > 0),
                         answered > 0))
    return out


def compute_baseline(d: str | Path, ids: list[str] | None = None) -> pd.DataFrame:
    """The indicators of :data:`IDS` by year and region from a Parquet directory.

    Parameters
    ----------
    d : str or Path
        Directory of canonical Parquet tables (``Dataset.to_parquet``).
    ids : list of str, optional
        Ids to return (default :data:`IDS`); any id of :data:`FAMILIES`.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, year, region_code, numerator, denominator``.
    """
    ids = IDS if ids is None else list(ids)
    unknown = sorted(set(ids) - {i for fam in FAMILIES.values() for i in fam})
    if unknown:
        raise ValueError(f"the baseline does not compute {unknown}")
    tables = read_tables(d)
    buyers = buyer_attributes(tables["buyers"])
    info = procedure_info(tables["notices"], tables["lots"])
    lr = lot_results(tables, info, buyers)
    notices = notice_frame(tables, info, buyers, lr)
    procs = procedure_frame(tables, info, buyers)
    survey = survey_frame(tables, buyers)
    parts = [total(notices, "KEINO-VOL-NOTICES"), total(lr, "KEINO-VOL-LOTS"),
             total(lr, "KEINO-VOL-EUR", "value_eur"), total(procs, "KEINO-VOL-PROC")]
    parts += strategic(lr)
    parts += markets(lr, notices, procs)
    parts += scoreboard(lr, notices, procs)
    parts += integrity(lr)
    parts += eforms(lr)
    parts += quality(lr, notices)
    parts += capability(survey)
    out = pd.concat(parts, ignore_index=True)
    out = out[out["indicator_id"].isin(ids)]
    out["region_code"] = out["region_code"].where(out["region_code"] != MISSING, None)
    return out[["indicator_id", "year", "region_code", "numerator", "denominator"]
               ].reset_index(drop=True)

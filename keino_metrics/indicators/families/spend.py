"""Spend: what was actually paid (purchase invoices) and under which contracts.

The ``SPEND-*`` indicators read the ``spend`` frame (:mod:`keino_metrics.spend.frame`):
invoice rows linked to awarded lot results by the linker of
:mod:`keino_metrics.spend.link`. Shares of spend under innovative, green or
social contracts measure the 10 % target in euros actually paid; their
intervals carry the linkage uncertainty as well as the sampling uncertainty
(buyers resampled). Breakdowns: ``year``, ``quarter``, ``buyer_id``,
``category`` (procurement category) and the buyer's ``legal_type``,
``buyer_group``, ``region_code``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keino_metrics.indicators.families._build import OWN
from keino_metrics.indicators.frames import register_frame
from keino_metrics.indicators.spec import Custom, Indicator
from keino_metrics.indicators.stats import cluster_ratio_interval


def frame_source(frames):
    """The invoice frame and candidate links (:func:`keino_metrics.spend.frame.frame_source`).

    Imported when first called: :mod:`keino_metrics.spend.frame` reads the
    indicator frames, so importing it while this package initialises would
    start that initialisation again.
    """
    from keino_metrics.spend import frame

    return frame.frame_source(frames)


def linked_share(*args, **kwargs):
    """See :func:`keino_metrics.spend.frame.linked_share` (imported when first called)."""
    from keino_metrics.spend import frame

    return frame.linked_share(*args, **kwargs)


def flag_coverage(*args, **kwargs):
    """See :func:`keino_metrics.spend.frame.flag_coverage` (imported when first called)."""
    from keino_metrics.spend import frame

    return frame.flag_coverage(*args, **kwargs)


register_frame("spend", lambda frames: frame_source(frames)[0])

__all__ = ["SPEND"]

_SOURCE = ("Purchase invoices: State Treasury open data behind tutkihankintoja.fi (CC BY 4.0) "
           "and municipal purchase-invoice data (Kuntaliitto layout); " + OWN)
_LIMITS = ("Invoices without a supplier id (private traders left out or anonymised by the "
           "publishers) cannot be linked and count as outside any noticed contract, and so "
           "do invoices under contracts awarded before the notice data begins (read notices "
           "from at least four years before the first invoice year); a contract's flags are "
           "those its notices report (under-reporting carries over). Invoice data covers the "
           "state and the municipalities that publish it.")
_COLUMNS = ["value", "numerator", "denominator", "n_eligible", "excluded", "excluded_reasons",
            "coverage", "ci_low", "ci_high"]


def _coverage(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Share of spend (absolute euros) whose supplier has an id to link on, by ``keys``."""
    # imported when first called, as frame_source
    from keino_metrics.spend.frame import group_codes

    codes, key_frame = group_codes(frame, keys)
    a = frame["amount"].abs().to_numpy(float)
    has = frame["supplier_linkable"].to_numpy(bool)
    d = pd.DataFrame({"a": a, "k": np.where(has, a, 0.0), "n": (~has).astype(float)})
    sums = d.groupby(codes)[["a", "k", "n"]].sum().reindex(range(len(key_frame)), fill_value=0.0)
    return key_frame.assign(**{c: sums[c].to_numpy() for c in ("a", "k", "n")})


def _share(flag: str | None):
    def compute(frames, ind, keys, params):

        frame, cand = frame_source(frames)
        out = linked_share(frame, cand, flag, keys, draws=int(params.get("draws", 400)),
                           seed=int(params.get("seed", 0)))
        cov = _coverage(frame, keys)
        if flag is not None:
            known = flag_coverage(frame, cand, flag, keys)
            cov = cov.merge(known, on=keys, how="left") if keys else cov.assign(
                flag_known=float(known["flag_known"].iloc[0]))
        else:
            cov = cov.assign(flag_known=1.0)
        out = out.merge(cov, on=keys, how="left") if keys else out.assign(**cov.iloc[0])
        # coverage: euros whose supplier can be linked, times the linked euros whose
        # contract records the flag's fields
        out["coverage"] = out["k"] / out["a"].where(out["a"] > 0) * out["flag_known"]
        out["excluded"] = 0.0
        out["excluded_reasons"] = [f"invoice rows without a supplier id (counted as "
                                   f"unlinked): {int(n)}" if n else "" for n in out["n"]]
        return out[[*keys, *_COLUMNS]]
    compute.ci_method = "monte_carlo_links"
    return compute


def _with_interval(out: pd.DataFrame, per: pd.DataFrame, gk: list[str]) -> pd.DataFrame:
    """``out`` with the buyer-clustered 95 % interval of the ratio ``sum(y) / sum(x)`` of ``per``."""
    ci = cluster_ratio_interval(per, gk, "y", "x", bounds=(0.0, 1.0))
    if gk:
        return out.merge(ci[[*gk, "ci_low", "ci_high"]], on=gk, how="left")
    return out.assign(ci_low=ci["ci_low"].iloc[0], ci_high=ci["ci_high"].iloc[0])


def _sme(frames, ind, keys, params):

    frame, _ = frame_source(frames)
    known = frame["sme_supplier"].notna()
    d = frame[list(dict.fromkeys([*keys, "buyer_id", "amount"]))]
    d = d.assign(y=np.where(frame["sme_supplier"].fillna(False).astype(bool),
                            frame["amount"], 0.0),
                 x=np.where(known, frame["amount"], 0.0), one=frame["amount"].abs(),
                 ok=np.where(known, frame["amount"].abs(), 0.0), miss=(~known).astype(float))
    gk = list(keys)
    for k in gk:
        d[k] = d[k].astype(object).where(d[k].notna(), "\x00")
    per = d.groupby([*gk, "buyer_id"] if "buyer_id" not in gk else gk, dropna=False)[
        ["y", "x"]].sum().reset_index()
    agg = (d.groupby(gk, dropna=False)[["y", "x", "one", "ok", "miss"]].sum().reset_index()
           if gk else pd.DataFrame([d[["y", "x", "one", "ok", "miss"]].sum()]))
    agg["value"] = agg["y"] / agg["x"].where(agg["x"] != 0)
    agg["numerator"], agg["denominator"] = agg["y"], agg["x"]
    agg["n_eligible"] = (d.groupby(gk, dropna=False)["miss"].size().to_numpy()
                         if gk else [len(d)]) - agg["miss"]
    agg["excluded"] = agg["miss"]
    agg["excluded_reasons"] = [f"supplier size not known from any award: {int(m)}" if m
                               else "" for m in agg["miss"]]
    agg["coverage"] = agg["ok"] / agg["one"].where(agg["one"] > 0)
    agg = _with_interval(agg, per, gk)
    for k in gk:
        agg[k] = agg[k].replace("\x00", None)
    return agg[[*gk, *_COLUMNS]]


_sme.ci_method = "cluster"


def _hhi(frames, ind, keys, params):

    frame, _ = frame_source(frames)
    gk = [k for k in keys if k != "buyer_id"]
    d = frame.loc[frame["supplier_id"].notna(), list(dict.fromkeys(
        [*gk, "buyer_id", "supplier_id", "amount"]))].copy()
    for k in gk:
        d[k] = d[k].astype(object).where(d[k].notna(), "\x00")
    pos = d.groupby([*gk, "buyer_id", "supplier_id"], dropna=False)["amount"].sum()
    pos = pos[pos > 0].rename("v").reset_index()
    tot = pos.groupby([*gk, "buyer_id"], dropna=False)["v"].transform("sum")
    pos["s2"] = (pos["v"] / tot) ** 2
    per = pos.groupby([*gk, "buyer_id"], dropna=False)["s2"].sum().rename("y").reset_index()
    per["x"] = 1.0
    if "buyer_id" in keys:
        out = per.rename(columns={"y": "value"}).assign(numerator=lambda x: x["value"],
                                                         denominator=1.0, n_eligible=1.0,
                                                         ci_low=np.nan, ci_high=np.nan)
    else:
        out = (per.groupby(gk, dropna=False)[["y", "x"]].sum().reset_index() if gk
               else pd.DataFrame([per[["y", "x"]].sum()]))
        out["value"] = out["y"] / out["x"].where(out["x"] > 0)
        out["numerator"], out["denominator"], out["n_eligible"] = out["y"], out["x"], out["x"]
        out = _with_interval(out, per, gk)
    missing = int(frame["supplier_id"].isna().sum())
    out["excluded"] = 0.0
    out["excluded_reasons"] = ""
    out["coverage"] = 1.0 - missing / len(frame) if len(frame) else np.nan
    for k in gk:
        out[k] = out[k].replace("\x00", None)
    return out[[*keys, *_COLUMNS]]


_hhi.ci_method = "cluster"


def _total(frames, ind, keys, params):

    frame, _ = frame_source(frames)
    d = frame[[*keys, "amount"]].copy()
    for k in keys:
        d[k] = d[k].astype(object).where(d[k].notna(), "\x00")
    out = (d.groupby(keys, dropna=False)["amount"].agg(["sum", "size"]).reset_index() if keys
           else pd.DataFrame({"sum": [d["amount"].sum()], "size": [len(d)]}))
    has = out["size"] > 0  # no invoice rows: not measurable, not zero
    out["value"] = out["numerator"] = out["sum"].where(has)
    out["denominator"] = np.nan
    out["n_eligible"] = out["size"].astype(float)
    out["excluded"] = 0.0
    out["excluded_reasons"] = ""
    out["coverage"] = np.where(has, 1.0, np.nan)
    out["ci_low"] = out["ci_high"] = np.nan
    for k in keys:
        out[k] = out[k].replace("\x00", None)
    return out[[*keys, *_COLUMNS]]


_total.ci_method = "none_total"

_READS = ("amount", "supplier_id", "contract", "link_score")


def _share_indicator(iid: str, flag: str | None, what: str,
                     crosswalk: tuple[str, ...] = ()) -> Indicator:
    return Indicator(
        id=iid, family="spend",
        definition=f"Euros paid under {what} as a share of all euros paid (purchase "
        "invoices), each invoice counted with the linker's probability that it was paid "
        "under such a contract.",
        formula="sum(amount * P(contract flagged)) / sum(amount)",
        unit_of_analysis="invoice row", unit="share", weighting="eur", direction="higher"
        if flag else "neutral",
        fields=("spend.amount_eur", "spend.supplier_id", "spend.buyer_id",
                "spend.posting_date", "awards.winner_id"),
        source=_SOURCE, measure=Custom("spend", _share(flag), reads=_READS),
        crosswalk=crosswalk, limits=_LIMITS)


SPEND: list[Indicator] = [
    Indicator(
        id="SPEND-EUR", family="spend",
        definition="Sum of purchase-invoice amounts as published (credit notes negative).",
        formula="sum(amount)", unit_of_analysis="invoice row", unit="eur", weighting="eur",
        direction="neutral", fields=("spend.amount_eur",), source=_SOURCE,
        measure=Custom("spend", _total, reads=("amount",)), limits=_LIMITS),
    _share_indicator("SPEND-COVERED", None, "any contract awarded in a result notice"),
    _share_indicator("SPEND-INNOV", "innovative",
                     "contracts reported innovative (Hilma new to buyer or market, eForms "
                     "BT-06 inn-pur or BT-776)", ("FI-10PCT-MKT-VOL31",)),
    _share_indicator("SPEND-GREEN", "green", "contracts with an environmental aim or criterion"),
    _share_indicator("SPEND-SOCIAL", "social", "contracts with a social aim or condition"),
    Indicator(
        id="SPEND-SME", family="spend",
        definition="Euros paid to suppliers that an award names as micro, small or medium "
        "(BT-165) as a share of euros paid to suppliers whose size an award names.",
        formula="sum(amount | SME supplier) / sum(amount | supplier size known)",
        unit_of_analysis="invoice row", unit="share", weighting="eur", direction="higher",
        fields=("spend.amount_eur", "spend.supplier_id", "awards.winner_size"),
        source=_SOURCE, measure=Custom("spend", _sme, reads=("amount", "sme_supplier")),
        limits="Supplier size is known only for suppliers that won a noticed contract; "
        "coverage says how much spend that is.", ),
    Indicator(
        id="SPEND-HHI", family="spend",
        definition="Herfindahl-Hirschman index of each buyer's spend over its suppliers "
        "(positive net spend per supplier), averaged over buyers.",
        formula="mean over buyers of sum_s (spend_s / spend)^2", unit_of_analysis="invoice row",
        unit="index", weighting="eur", direction="lower",
        fields=("spend.amount_eur", "spend.supplier_id", "spend.buyer_id"), source=_SOURCE,
        measure=Custom("spend", _hhi, reads=("amount", "supplier_id")),
        limits="Invoices without a supplier id are left out.", crosswalk=("KEINO-MKT-HHI",)),
]

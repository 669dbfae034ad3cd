"""Purchase invoices of the demonstration corpus, with the true link of each.

Drawn after the rest of the corpus from a random stream of their own
(``SeedSequence(seed, spawn_key=(SPEND_STREAM,))``), so that adding them
changed no other table. For each year the invoices add up to the market
volume of FI-VOL (EUR 31 bn in 2018, :data:`~keino_metrics.demo.calibration.MARKET_VOLUME_EUR`,
growing by :data:`~keino_metrics.demo.calibration.VOLUME_GROWTH`) times ``scale``:

* **under contracts.** Each awarded lot result with a winner and a value is
  paid out over its duration (1-4 years, :data:`DURATION_P`) in
  :data:`INVOICES_PER_YEAR` invoices a year, in all
  :data:`REALISATION` (uniform) times the awarded value; an invoice's category
  follows the contract's CPV division (:data:`CATEGORY_OF_DIVISION`) except
  for :data:`CATEGORY_NOISE` of them;
* **outside any noticed contract**: the rest of each year's volume, as many
  invoices as under contracts, with log-normal amounts, from buyers in
  proportion to their contracts and from suppliers that hold no contract
  with that buyer, except :data:`MAVERICK_SHARE` from a supplier that does
  (purchases beside a contract, which a linker cannot tell from it).

Defects the readers and the linker meet in real files are drawn too:
:data:`NO_SUPPLIER_ID` of invoices have no supplier business id (left out
by the publisher), :data:`VAT_FORM` carry it as a VAT number ``FI12345678``,
and :data:`LATE_SHARE` of contract invoices arrive after the contract's
window. The extra table ``spend_truth`` gives each invoice's true contract
(``notice_id/lot_id``) or none. All shares are assumptions of the generator
([assumption]); only the yearly total is calibrated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keino_metrics.demo import calibration as cal

__all__ = ["SPEND_STREAM", "invoices"]

#: Key of the invoices' own random stream.
SPEND_STREAM = 101
#: [assumption] Contract duration in years (1-4) and its probabilities.
DURATION_P = (0.35, 0.3, 0.15, 0.2)
#: [assumption] Invoices per contract and year.
INVOICES_PER_YEAR = 3
#: [assumption] Share of the awarded value actually paid (uniform bounds).
REALISATION = (0.6, 1.0)
#: [assumption] Invoices whose category does not follow the contract's division.
CATEGORY_NOISE = 0.1
#: [assumption] Outside-contract invoices from a supplier holding a contract with the buyer.
MAVERICK_SHARE = 0.02
#: [assumption] Invoices without a supplier business id; with a VAT-form id.
NO_SUPPLIER_ID = 0.02
VAT_FORM = 0.1
#: [assumption] Contract invoices posted after the contract's window (5-6 years on).
LATE_SHARE = 0.01

#: [assumption] Procurement category of each CPV division (other divisions: "Muut hankinnat").
CATEGORY_OF_DIVISION: dict[str, str] = {
    "45": "Rakentaminen", "44": "Rakentaminen", "71": "Suunnittelu ja konsultointi",
    "79": "Suunnittelu ja konsultointi", "73": "Suunnittelu ja konsultointi",
    "72": "ICT", "48": "ICT", "30": "ICT", "32": "ICT", "64": "ICT",
    "85": "Sosiaali- ja terveyspalvelut", "33": "Terveydenhuollon tarvikkeet",
    "80": "Koulutus", "60": "Liikenne ja kuljetus", "34": "Liikenne ja kuljetus",
    "55": "Ruoka- ja ravintolapalvelut", "15": "Ruoka- ja ravintolapalvelut",
    "90": "Kiinteistö- ja ympäristöpalvelut", "77": "Kiinteistö- ja ympäristöpalvelut",
    "50": "Kiinteistö- ja ympäristöpalvelut", "09": "Energia",
}
OTHER_CATEGORY = "Muut hankinnat"
#: Account of a nature missing from :data:`ACCOUNT_OF_NATURE` (or of none).
DEFAULT_ACCOUNT = ("4300", "Palvelujen ostot")
#: Account (municipal chart of accounts) by contract nature.
ACCOUNT_OF_NATURE = {"services": ("4300", "Palvelujen ostot"),
                     "supplies": ("4500", "Aineet, tarvikkeet ja tavarat"),
                     "works": ("1150", "Keskeneräiset rakennushankinnat")}


def _contract_rows(data) -> pd.DataFrame:
    a = data.awards
    a = a.loc[a["winner_chosen"].fillna(False).astype(bool) & a["winner_id"].notna()
              & a["awarded_value_eur"].notna() & (a["awarded_value_eur"] > 0)]
    n = data.notices[["notice_id", "buyer_id", "publication_date"]]
    lots = data.lots[["notice_id", "lot_id", "cpv_main", "contract_nature"]]
    c = a.merge(n, on="notice_id").merge(lots, on=["notice_id", "lot_id"], how="left")
    c["start"] = pd.to_datetime(c["decision_date"]).fillna(c["publication_date"])
    return c.sort_values(["notice_id", "lot_id"], kind="stable").reset_index(drop=True)


def _ids(rng: np.random.Generator, ids: np.ndarray) -> np.ndarray:
    out = ids.astype(object).copy()
    vat = rng.random(len(ids)) < VAT_FORM
    out[vat] = ["FI" + s.replace("-", "") for s in ids[vat]]
    out[rng.random(len(ids)) < NO_SUPPLIER_ID] = None
    return out


def invoices(data, seed: int, scale: float, years: tuple[int, int]
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Invoices of a generated corpus and their true links.

    Parameters
    ----------
    data : keino_metrics.Dataset
        The generated corpus (buyers, notices, lots, awards and the extra
        table ``suppliers``).
    seed, scale, years
        As given to :func:`keino_metrics.demo.generate`.

    Returns
    -------
    spend : pandas.DataFrame
        Rows of the canonical ``spend`` table (``source`` ``demo``).
    truth : pandas.DataFrame
        ``source_file``, ``record``, ``contract`` (true ``notice_id/lot_id``,
        null outside contracts) and ``kind`` (``contract`` or ``outside``).
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(SPEND_STREAM,)))
    y0, y1 = years
    c = _contract_rows(data)
    dur = rng.choice(np.arange(1, 5), size=len(c), p=DURATION_P)
    k = dur * INVOICES_PER_YEAR
    rep = np.repeat(np.arange(len(c)), k)
    paid = c["awarded_value_eur"].to_numpy(float) * rng.uniform(*REALISATION, len(c))
    weights = rng.gamma(2.0, 1.0, len(rep))
    wsum = np.bincount(rep, weights=weights, minlength=len(c))
    amount = paid[rep] * weights / wsum[rep]
    offset = rng.uniform(0, 1, len(rep)) * dur[rep] * 365.25
    late = rng.random(len(rep)) < LATE_SHARE
    offset[late] = rng.uniform(5.0, 6.0, late.sum()) * 365.25
    date = (c["start"].to_numpy()[rep] + pd.to_timedelta(offset, unit="D").to_numpy()
            ).astype("datetime64[D]")
    division = c["cpv_main"].astype(str).str[:2].to_numpy()[rep]
    divisions, which = np.unique(division, return_inverse=True)
    category = np.array([CATEGORY_OF_DIVISION.get(d, OTHER_CATEGORY) for d in divisions],
                        dtype=object)[which]
    noise = rng.random(len(rep)) < CATEGORY_NOISE
    cats = np.array(sorted({*CATEGORY_OF_DIVISION.values(), OTHER_CATEGORY}), dtype=object)
    category[noise] = rng.choice(cats, noise.sum())
    nature = c["contract_nature"].to_numpy()[rep]
    under = pd.DataFrame({
        "buyer_id": c["buyer_id"].to_numpy()[rep],
        "supplier_id": c["winner_id"].to_numpy()[rep].astype(str),
        "posting_date": date, "amount_eur": np.round(amount, 2), "category": category,
        "nature": nature,
        "contract": (c["notice_id"] + "/" + c["lot_id"]).to_numpy()[rep],
        "kind": "contract"})
    year = pd.DatetimeIndex(under["posting_date"]).year
    under = under.loc[(year >= y0) & (year <= y1)].reset_index(drop=True)

    # outside any noticed contract: the rest of each year's volume
    pairs = set(zip(c["buyer_id"], c["winner_id"], strict=True))
    buyer_w = c["buyer_id"].value_counts()
    sup = data.extra["suppliers"]
    sup_ids = sup["supplier_id"].to_numpy()
    outside = []
    by_buyer = c.groupby("buyer_id")["winner_id"].agg(list)
    per_year = pd.Series(under["amount_eur"].to_numpy(),
                         index=pd.DatetimeIndex(under["posting_date"]).year).groupby(level=0).sum()
    for y in range(y0, y1 + 1):
        target = cal.MARKET_VOLUME_EUR * (1 + cal.VOLUME_GROWTH) ** (y - 2018) * scale
        rest = max(target - float(per_year.get(y, 0.0)), 0.0)
        m = int((pd.DatetimeIndex(under["posting_date"]).year == y).sum()) or 100
        b = rng.choice(buyer_w.index.to_numpy(), m, p=(buyer_w / buyer_w.sum()).to_numpy())
        s = rng.choice(sup_ids, m)
        clash = np.array([(bb, ss) in pairs for bb, ss in zip(b, s, strict=True)])
        s[clash] = rng.choice(sup_ids, clash.sum())  # one redraw; rare clashes remain
        maverick = rng.random(m) < MAVERICK_SHARE
        s[maverick] = [rng.choice(by_buyer[bb]) for bb in b[maverick]]
        w = rng.lognormal(0.0, 1.2, m)
        day = rng.integers(0, 365, m)
        outside.append(pd.DataFrame({
            "buyer_id": b, "supplier_id": s.astype(str),
            "posting_date": (np.datetime64(f"{y}-01-01") + day).astype("datetime64[D]"),
            "amount_eur": np.round(rest * w / w.sum(), 2),
            "category": rng.choice(cats, m),
            "nature": rng.choice(list(ACCOUNT_OF_NATURE), m), "contract": None,
            "kind": "outside"}))
    inv = pd.concat([under, *outside], ignore_index=True)
    inv = inv.sort_values(["posting_date", "buyer_id"], kind="stable").reset_index(drop=True)
    names = data.buyers.set_index("buyer_id")["name"]
    sup_names = sup.set_index("supplier_id")["name"]
    kind_of = data.buyers.set_index("buyer_id").get("buyer_kind")
    source_file = f"demo:spend,seed={seed},scale={scale:g}"
    record = [f"row {i + 2}" for i in range(len(inv))]
    # each nature's account, looked up once per distinct nature
    which, natures = pd.factorize(inv["nature"])  # a missing nature is -1: the default
    accounts = [*(ACCOUNT_OF_NATURE.get(v, DEFAULT_ACCOUNT) for v in natures), DEFAULT_ACCOUNT]
    account = np.array([a[0] for a in accounts], dtype=object)[which]
    account_name = np.array([a[1] for a in accounts], dtype=object)[which]
    spend = pd.DataFrame({
        "source_file": source_file, "record": record,
        "invoice_id": [f"{i + 1:08d}" for i in range(len(inv))],
        "buyer_id": inv["buyer_id"], "buyer_name": inv["buyer_id"].map(names),
        "parent_id": None, "parent_name": None,
        "sector": inv["buyer_id"].map(kind_of) if kind_of is not None else None,
        "supplier_id": _ids(rng, inv["supplier_id"].to_numpy()),
        "supplier_name": inv["supplier_id"].map(sup_names),
        "posting_date": inv["posting_date"].astype("datetime64[us]"),
        "amount_eur": inv["amount_eur"], "amount_basis": "net",
        "account": account, "account_name": account_name,
        "product_group": None, "category": inv["category"], "source": "demo"})
    truth = pd.DataFrame({"source_file": source_file, "record": record,
                          "contract": inv["contract"], "kind": inv["kind"]})
    return spend, truth

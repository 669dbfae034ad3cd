"""Stand-in frames shaped like the documented contracts, for unit tests of the report."""

from __future__ import annotations

import pandas as pd
import pytest

from keino_metrics import datamodel
from keino_metrics.dataset import Dataset


@pytest.fixture
def indicator_frame() -> pd.DataFrame:
    """Rows shaped like the reports' indicator table with ``by=["year"]``."""
    rows = []
    for ind, unit, base in (("KEINO-INNOV-MKT-N", "share", 0.05),
                            ("KEINO-INNOV-BUY-N", "share", 0.30),
                            ("KEINO-VOL-LOTS", "count", 1000.0)):
        for k, year in enumerate((2023, 2024, 2025)):
            value = base * (1 + 0.1 * k)
            share = unit == "share"
            rows.append({
                "indicator_id": ind, "year": year, "value": value,
                "numerator": value * 1000 if share else value,
                "denominator": 1000.0 if share else float("nan"), "unit": unit,
                "weighting": "count", "n_eligible": 1000, "excluded": 10,
                "excluded_reasons": "", "coverage": 0.99,
                "ci_low": value - 0.01 if share else float("nan"),
                "ci_high": value + 0.01 if share else float("nan"),
                "target": 0.10 if ind.startswith("KEINO-INNOV") else float("nan"),
                "light": ("green" if value >= 0.10 else "red") if share else None,
                "warning": ""})
    return pd.DataFrame(rows)


@pytest.fixture
def small_dataset() -> Dataset:
    """A tiny canonical dataset: 3 notices over two years, lots, one quarantined record."""
    notices = datamodel.conform("notices", pd.DataFrame({
        "notice_id": ["n1", "n2", "n3"], "procedure_id": ["p1", "p2", "p3"],
        "notice_type": ["can", "can", "cn"],
        "publication_date": ["2024-03-01", "2025-06-01", "2025-12-15"],
        "buyer_id": ["b1", "b1", "b2"], "procedure_type": ["open", None, "open"],
        "source": ["eforms", "eforms", "ted-legacy"], "source_file": ["a.xml", "b.xml", "c.xml"],
    }))
    buyers = datamodel.conform("buyers", pd.DataFrame({
        "buyer_id": ["b1", "b2"], "name": ["A", "B"], "country": ["FI", "BE"],
        "region_code": ["01", None]}))
    lots = datamodel.conform("lots", pd.DataFrame({
        "notice_id": ["n1", "n2", "n2", "n3"], "lot_id": ["L1", "L1", "L2", "L1"],
        "contract_nature": ["works", "services", None, "supplies"],
        "innovation": [["mar-nov"], None, [], None]}))
    quarantine = datamodel.conform("quarantine", pd.DataFrame({
        "source_file": ["d.xml"], "record": ["d"], "field": ["BT-05"], "reason": ["no date"]}))
    accounting = pd.DataFrame({"input": ["a.xml", "d.xml"], "source": ["eforms", "eforms"],
                               "unit": ["notice", "notice"], "rows_in": [1, 1],
                               "rows_accepted": [1, 0], "rows_quarantined": [0, 1]})
    return Dataset(notices=notices, buyers=buyers, lots=lots, quarantine=quarantine,
                   accounting=accounting, provenance={"demo": True})


#: Languages of the built report pages (:func:`pages`).
PAGE_LANGS = ("fi", "sv")


@pytest.fixture(scope="session")
def pages(tmp_path_factory):
    """Both reports built in Finnish and Swedish on a small generated corpus, by (report, lang)."""
    from keino_metrics import demo
    from keino_metrics.report import annual, driver, impact

    root = tmp_path_factory.mktemp("pages")
    demo.write(root / "demo", seed=11, scale=0.05, invoices=True)
    folder = driver.build([annual.REPORT, impact.REPORT], data_dir=root / "demo",
                          language=PAGE_LANGS, seed=11, out_dir=root / "reports",
                          progress=False)
    return {(r, lang): (folder / f"{r}_{lang}.html").read_text(encoding="utf-8")
            for r in ("annual_report", "impact_report") for lang in PAGE_LANGS}

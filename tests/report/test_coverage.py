import math

from keino_metrics.report import coverage


def test_rows_by_year_counts_rows_per_publication_year(small_dataset):
    rows = coverage.rows_by_year(small_dataset)
    assert rows.loc["notices", 2024] == 1 and rows.loc["notices", 2025] == 2
    assert rows.loc["lots", 2024] == 1 and rows.loc["lots", 2025] == 3
    assert rows.loc["lots", "total"] == 4
    assert coverage.data_years(small_dataset) == [2024, 2025]


def test_completeness_per_field_and_year(small_dataset):
    comp = coverage.completeness(small_dataset)
    assert comp.loc[("notices", "procedure_type"), 2025] == 0.5
    assert comp.loc[("lots", "contract_nature"), "total"] == 0.75
    # an empty code list is an answer ("none of these"), a null is not
    assert comp.loc[("lots", "innovation"), 2025] == 1 / 3
    assert comp.loc[("buyers", "region_code"), "total"] == 0.5
    assert math.isnan(comp.loc[("buyers", "region_code"), 2025])


def test_quarantine_counts(small_dataset):
    q = coverage.quarantine_counts(small_dataset)
    assert q.to_dict("records") == [{"field": "BT-05", "reason": "no date", "records": 1}]

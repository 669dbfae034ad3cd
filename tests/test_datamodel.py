from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.errors as pe
import pytest

from keino_metrics import datamodel

ROOT = Path(__file__).resolve().parent.parent


def test_issue_columns_are_declared_exactly():
    expected = {
        "buyers": ["buyer_id", "name", "legal_type", "country", "nuts3", "municipality_code",
                   "region_code"],
        "notices": ["notice_id", "procedure_id", "notice_type", "publication_date", "buyer_id",
                    "procedure_type", "source", "source_file"],
        "awards": ["notice_id", "lot_id", "winner_chosen", "tenders_received",
                   "sme_tenders_received", "awarded_value_eur", "value_source", "winner_id",
                   "winner_size", "decision_date"],
        "programme_participation": ["buyer_id", "programme", "start_date"],
        "quarantine": ["source_file", "record", "field", "reason"],
    }
    for table, cols in expected.items():
        declared = [c.name for c in datamodel.columns(table)]
        assert [c for c in declared if c in cols] == cols, table
    lots = [c.name for c in datamodel.columns("lots")]
    for c in ["contract_nature", "cpv_main", "estimated_value_eur", "strategic_procurement",
              "green_procurement", "social_objective", "innovation", "gpp_criteria",
              "price_only_award", "sme_suitable", "framework_agreement"]:
        assert c in lots
    hilma = [c.name for c in datamodel.columns("hilma_statistics")]
    assert hilma[2:] == list(datamodel.HILMA_QUESTIONS)
    assert len(datamodel.HILMA_QUESTIONS) == 14


def test_empty_tables_validate():
    for table in datamodel.TABLE_NAMES:
        frame = datamodel.empty(table)
        datamodel.schema(table).validate(frame)


def test_conform_types_and_keeps_extra_columns():
    raw = pd.DataFrame({"notice_id": [1], "lot_id": ["LOT-0001"], "title": ["Koulukuljetus"],
                        "green_procurement": ["circ-econ,clim-mitig"],
                        "estimated_value_eur": ["1200.5"]})
    df = datamodel.conform("lots", raw.assign(estimated_value_eur=[1200.5]))
    assert df.loc[0, "notice_id"] == "1"
    assert df.loc[0, "green_procurement"] == ["circ-econ", "clim-mitig"]
    assert df.loc[0, "innovation"] is None
    assert str(df["price_only_award"].dtype) == "boolean"
    assert list(df.columns)[-1] == "title"


def test_schema_rejects_unknown_codes_and_accepts_retired_ones():
    lots = datamodel.conform("lots", pd.DataFrame({
        "notice_id": ["n", "n"], "lot_id": ["L1", "L2"],
        "green_procurement": [["emas-com"], ["no-such-code"]]}))
    with pytest.raises(pe.SchemaErrors) as err:
        datamodel.schema("lots").validate(lots, lazy=True)
    failing = set(err.value.failure_cases["index"].dropna().astype(int))
    assert failing == {1}


def test_schema_requires_required_values():
    notices = datamodel.conform("notices", pd.DataFrame({
        "notice_id": ["a"], "procedure_id": [None], "notice_type": ["cn"],
        "publication_date": ["2024-01-02"], "buyer_id": ["b"], "source": ["eforms"],
        "source_file": ["x.xml"]}))
    with pytest.raises(pe.SchemaErrors):
        datamodel.schema("notices").validate(notices, lazy=True)


def test_docs_data_model_is_generated_from_the_declaration():
    doc = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    assert doc == datamodel._DOC_HEADER + datamodel.markdown()

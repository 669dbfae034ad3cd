"""The front door ``read``: real samples, corrupted copies, archives, accounting."""

from __future__ import annotations

import gzip
import io
import re
import shutil
import tarfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keino_metrics import datamodel
from keino_metrics.readers import limits, read

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "raw" / "samples"


def _balanced(ds) -> None:
    a = ds.accounting
    assert (a["rows_in"] == a["rows_accepted"] + a["rows_quarantined"]).all()
    assert a["rows_quarantined"].sum() == len(ds.quarantine)
    assert a["rows_accepted"].sum() == len(ds.notices)


@pytest.fixture(scope="module")
def samples():
    return read(SAMPLES, workers=1, progress=False)


def test_real_samples(samples):
    ds = samples
    _balanced(ds)
    assert len(ds.accounting) == 94
    # the edited copy of 215550-2024 is the only record not accepted
    assert list(ds.quarantine["reason"].str.contains("duplicate")) == [True]
    for name in ("buyers", "notices", "lots", "awards"):
        datamodel.schema(name).validate(ds[name])
    assert set(ds.notices["source"]) == {"eforms", "ted-legacy"}
    fi = ds.buyers.set_index("buyer_id").loc["FI-0216509-5"]
    assert fi["region_code"] == "15" and fi["municipality_code"] == "287"
    # GBP, PLN, ... amounts get a euro value from the FX table; a currency the
    # table lacks (MKD: no ECB reference rate) keeps its amount and no euro value
    from keino_metrics.readers.fx import default_rates

    aw = ds.awards
    known = aw["awarded_value_currency"].isin(list(default_rates().rates))
    foreign = aw["awarded_value"].notna() & (aw["awarded_value_currency"] != "EUR")
    assert (foreign & known).any()
    assert aw.loc[foreign & known, "awarded_value_eur"].notna().all()
    unknown = foreign & ~known
    assert set(aw.loc[unknown, "awarded_value_currency"]) == {"MKD"}
    assert aw.loc[unknown, "awarded_value_eur"].isna().all()
    assert (aw["awarded_value_eur"].dropna() >= 0).all()


def test_pool_and_single_process_agree(samples, monkeypatch):
    import keino_metrics.readers as readers

    monkeypatch.setattr(readers, "SMALL_READ", 10)  # force the pool for 94 inputs
    ds = read(SAMPLES, workers=2, chunksize=8, progress=False)
    for name in ("notices", "lots", "awards", "buyers", "quarantine"):
        pd.testing.assert_frame_equal(ds[name], samples[name])


def _corrupt_copy(tmp: Path) -> dict[str, str]:
    """Copy the samples and damage some files; return label -> expected reason."""
    src = SAMPLES
    dst = tmp / "samples"
    shutil.copytree(src, dst)
    eform = dst / "ted-eforms"
    legacy = dst / "ted-legacy"
    expect = {}
    f = eform / "2024-OJS170-00525037.xml"
    f.write_bytes(f.read_bytes()[:5000])
    expect[str(f)] = "malformed or truncated XML"
    f = eform / "2024-OJS065-00191534.xml"
    f.write_bytes(f.read_bytes().replace(b"eforms-sdk-1.8", b"eforms-sdk-0.9"))
    expect[str(f)] = "unknown schema version"
    f = eform / "2024-OJS052-00152054.xml"
    f.write_bytes(f.read_bytes().replace(b"</cbc:Name>", "é</cbc:Name>".encode("latin-1"), 1))
    expect[str(f)] = "not valid UTF-8"
    f = legacy / "21-000061-001-EXP.xml"
    # (a negative amount in a legacy notice is a field-level issue; no notice id is not)
    f.write_bytes(f.read_bytes().replace(b'DOC_ID="003543-2021"', b'DOC_ID=""', 1))
    expect[str(f)] = "notice identifier"
    f = legacy / "20-157399-001-EXP.xml"
    f.write_bytes(f.read_bytes().replace(b'CATEGORY="ORIGINAL"', b'CATEGORY="TRANSLATION"'))
    expect[str(f)] = "no form with CATEGORY='ORIGINAL'"
    dup = eform / "copy-of-2024-OJS012-00032045.xml"
    shutil.copy(eform / "2024-OJS012-00032045.xml", dup)
    expect[str(dup)] = "duplicate"
    (dst / "notes.xml").write_text("not a notice\n", encoding="utf-8")
    expect[str(dst / "notes.xml")] = "format not recognised"
    (dst / "README.md").write_text("documentation is skipped in folders\n", encoding="utf-8")
    shutil.copy(Path(__file__).resolve().parents[1] / "fixtures" / "malicious" / "xxe_file.xml",
                dst / "xxe.xml")
    expect[str(dst / "xxe.xml")] = "XXE"
    return expect


def test_corrupted_copy_of_the_samples_balances(tmp_path, monkeypatch):
    import keino_metrics.readers as readers

    monkeypatch.setattr(readers, "SMALL_READ", 10)  # through the process pool
    expect = _corrupt_copy(tmp_path)
    ds = read(tmp_path / "samples", workers=2, chunksize=4, progress=False)
    _balanced(ds)
    assert ds.accounting["rows_in"].sum() == 94 + 3
    q = ds.quarantine.set_index("source_file")
    for label, reason in expect.items():
        assert label in q.index, label
        assert reason in str(q.loc[label, "reason"]), (label, q.loc[label, "reason"])
    # the damage stays with the damaged files: the rest is read
    assert len(ds.notices) == 94 + 3 - len(ds.quarantine)
    assert len(ds.quarantine) >= len(expect)


def test_archives_as_ted_bulk_packages(tmp_path):
    files = sorted((SAMPLES / "ted-eforms").glob("*.xml"))[:6]
    daily = io.BytesIO()
    with tarfile.open(fileobj=daily, mode="w:gz") as tf:
        for f in files[:3]:
            tf.add(f, arcname=f"20240102/{f.name}")
    monthly = tmp_path / "TED_monthly_2024_01.tar.gz"
    with tarfile.open(monthly, mode="w:gz") as tf:
        info = tarfile.TarInfo("20240102.tar.gz")
        info.size = len(daily.getvalue())
        tf.addfile(info, io.BytesIO(daily.getvalue()))
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as zf:
        zf.write(files[3], arcname=files[3].name)
    (tmp_path / "single.xml.gz").write_bytes(gzip.compress(files[4].read_bytes()))
    (tmp_path / "broken.gz").write_bytes(gzip.compress(files[5].read_bytes())[:200])
    ds = read(tmp_path, workers=1, progress=False)
    _balanced(ds)
    labels = set(ds.notices["source_file"])
    assert f"{monthly}!20240102.tar.gz!20240102/{files[0].name}" in labels
    assert f"{tmp_path / 'bundle.zip'}!{files[3].name}" in labels
    assert f"{tmp_path / 'single.xml.gz'}!single.xml" in labels
    (bad,) = ds.quarantine.itertuples()
    assert bad.source_file.endswith("broken.gz") and "gzip" in bad.reason
    assert len(ds.notices) == 5


def test_globs_and_missing_paths(tmp_path):
    ds = read(str(SAMPLES / "ted-legacy" / "21-*.xml"), workers=1, progress=False)
    assert len(ds.notices) == len(list((SAMPLES / "ted-legacy").glob("21-*.xml")))
    with pytest.raises(FileNotFoundError, match="matches no file"):
        read(str(tmp_path / "*.xml"), workers=1, progress=False)
    with pytest.raises(FileNotFoundError, match="no such file"):
        read(tmp_path / "nothing", workers=1, progress=False)


def test_latest_lot_result_wins_and_history_is_kept(tmp_path):
    f = SAMPLES / "ted-eforms" / "2024-OJS170-00525037.xml"
    data = f.read_bytes()
    (tmp_path / "a.xml").write_bytes(data)
    later = (data.replace(b"00525037-2024", b"00600001-2024")
             .replace(b"<efbc:PublicationDate>2024-09-02", b"<efbc:PublicationDate>2024-10-01")
             .replace(b'<cbc:TotalAmount currencyID="EUR">2100000',
                      b'<cbc:TotalAmount currencyID="EUR">2400000'))
    (tmp_path / "b.xml").write_bytes(later)
    ds = read(tmp_path, workers=1, progress=False)
    _balanced(ds)
    assert set(ds.notices["procedure_id"]) == {"2b8f15d3-6c08-47ed-aa46-1c34463e51b3"}
    assert set(ds.awards["notice_id"]) == {"600001-2024"}
    assert ds.awards["awarded_value"].sum() == pytest.approx(2_400_000)
    h = ds.extra["award_history"]
    assert len(h) == 24 and h["current"].sum() == 12
    assert set(h.loc[~h["current"], "superseded_by"]) == {"600001-2024"}


def test_own_fx_table(tmp_path):
    rates = pd.DataFrame({"currency": ["GBP"], "year": [2021], "units_per_eur": [0.5]})
    f = SAMPLES / "ted-legacy" / "21-000061-001-EXP.xml"
    ds = read(f, workers=1, progress=False, fx_rates=rates)
    aw = ds.awards.set_index("lot_id")
    assert aw.loc["LOT-0001", "awarded_value_eur"] == pytest.approx(250_000_000 / 0.5)


def test_nuts_2021_and_2024_give_the_same_region(tmp_path):
    data = (SAMPLES / "ted-eforms" / "2024-OJS170-00525037.xml").read_bytes()
    # a buyer outside a known municipality, so the region comes from NUTS 3
    data = data.replace(b"<cbc:CityName>KRISTIINANKAUPUNKI</cbc:CityName>",
                        b"<cbc:CityName>Nowhere</cbc:CityName>")
    (tmp_path / "n2021.xml").write_bytes(data)
    (tmp_path / "n2024.xml").write_bytes(
        data.replace(b"00525037-2024", b"00525038-2024")
        .replace(b"<cbc:CompanyID schemeID=\"002\">0216509-5", b"<cbc:CompanyID>X-1")
        .replace(b'listName="nuts">FI195<', b'listName="nuts">FI19A<'))
    ds = read(tmp_path, workers=1, progress=False)
    b = ds.buyers.set_index("nuts3")
    assert b.loc["FI195", "region_code"] == b.loc["FI19A", "region_code"] == "15"
    assert b["municipality_code"].isna().all()


def test_award_before_the_call_for_competition_is_impossible(tmp_path):
    can = (SAMPLES / "ted-eforms" / "2024-OJS170-00525037.xml").read_bytes()
    def published(p):
        return re.search(rb"<efbc:PublicationDate>(\d{4}-\d{2}-\d{2})", p.read_bytes()).group(1)

    # a contract notice published after the result notice's contracts (2024-07-31)
    cn = next(p for p in sorted((SAMPLES / "ted-eforms").glob("*.xml"))
              if b">cn-standard<" in p.read_bytes() and published(p) > b"2024-08-01")
    data = cn.read_bytes()
    folder = re.search(rb"<cbc:ContractFolderID>([^<]*)<", data).group(1)
    pub = re.search(rb"<efbc:PublicationDate>(\d{4}-\d{2}-\d{2})", data).group(1)
    # the result notice joins the contract notice's procedure, its contracts predate the call
    can = can.replace(b"2b8f15d3-6c08-47ed-aa46-1c34463e51b3", folder)
    (tmp_path / "cn.xml").write_bytes(data)
    (tmp_path / "can.xml").write_bytes(can)
    ds = read(tmp_path, workers=1, progress=False)
    _balanced(ds)
    (q,) = ds.quarantine.itertuples()
    assert q.source_file.endswith("can.xml") and q.field == "awards.decision_date"
    assert f"({pub.decode()})" in q.reason
    assert list(ds.notices["notice_type"]) == ["cn"] and ds.awards.empty


def test_hilma_json_embedding_eforms_text_goes_to_hilma(tmp_path, fixtures):
    """A Hilma JSON file whose first notice carries the eForms XML as plain text
    mentions every eForms marker in its first bytes, but is JSON, not XML."""
    import json

    from keino_metrics.readers import detect, eforms, hilma, ted_legacy

    xml = (fixtures / "eforms" / "hilma" / "E4_minimum.xml").read_text(encoding="utf-8")
    doc = {"notices": [{"noticeId": 2025000001, "procedureId": 2025000002,
                        "datePublished": "2025-03-19T10:15:00+02:00", "eForm": xml}]}
    path = tmp_path / "hilma_plain_eform.json"
    data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    path.write_bytes(data)
    head = data[:4096]
    assert b"eforms-sdk-" in head or b"eforms-ubl-extension" in head
    assert not eforms.sniff(head) and not ted_legacy.sniff(head)
    assert detect(head) is hilma
    ds = read(path, workers=1, progress=False)
    _balanced(ds)
    assert set(ds.accounting["source"]) == {"hilma"}
    assert len(ds.notices) == 1 and len(ds.quarantine) == 0


def test_bytes_read_and_parsed_are_recorded():
    ds = read(SAMPLES / "ted-legacy", workers=1, progress=False)
    files = sorted((SAMPLES / "ted-legacy").glob("*.xml"))
    prov = ds.provenance["read"]
    assert prov["bytes_in"] == sum(f.stat().st_size for f in files)
    # the legacy reader parses the original-language form, not the translations
    assert 0 < prov["bytes_parsed"] < prov["bytes_in"]


# -- property: mutated real files never escape read() and never get in unbounded --
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
_REAL = sorted((SAMPLES / "ted-eforms").glob("*.xml"))[:6] + sorted(
    (SAMPLES / "ted-legacy").glob("*.xml"))[:6] + [
    FIXTURES / "ocds" / "ocds-213czf-000-00001.json",
    FIXTURES / "ocds" / "ocds-213czf-000-00001-04-award.json",
    FIXTURES / "hilma" / "hilma_read_api.json"]
_IMPOSSIBLE = [b"NaN", b"Infinity", b"-Infinity", b"1e30", b"-1", b"1e400", b"99999999999999",
               b"2.5", b"", b"\xff\xfe", b"9999-99-99"]
_NUMBER = re.compile(rb"(?<=[>\":\s])-?\d+(\.\d+)?(?=[<\",\s}])")


@st.composite
def _mutant(draw) -> tuple[str, bytes]:
    path = draw(st.sampled_from(_REAL))
    data = path.read_bytes()
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "number", "duplicate",
                                 "encoding"]))
    i = draw(st.integers(0, len(data)))
    if kind == "truncate":
        data = data[:i]
    elif kind == "flip":
        data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
    elif kind == "insert":
        data = data[:i] + draw(st.binary(max_size=16)) + data[i:]
    elif kind == "delete":
        data = data[:i] + data[i + draw(st.integers(1, 4000)):]
    elif kind == "number":
        spots = list(_NUMBER.finditer(data))
        if spots:
            m = spots[draw(st.integers(0, len(spots) - 1))]
            data = data[:m.start()] + draw(st.sampled_from(_IMPOSSIBLE)) + data[m.end():]
    elif kind == "duplicate":
        j = draw(st.integers(i, min(len(data), i + 5000)))
        data = data[:j] + data[i:j] + data[j:]
    else:
        codec = draw(st.sampled_from(["utf-16", "utf-16-be", "latin-1", "cp1252", "utf-32"]))
        data = data.decode("utf-8").encode(codec, "replace")
    return f"{path.name}.{kind}", data


def _bounded(ds) -> None:
    for table, col in (("lots", "estimated_value_eur"), ("awards", "awarded_value_eur")):
        v = pd.to_numeric(ds[table][col], errors="coerce").astype("float64").dropna()
        assert (v.abs() <= limits.MAX_LOT_VALUE_EUR).all(), (table, col, v.max())
    for col in ("tenders_received", "sme_tenders_received"):
        v = pd.to_numeric(ds.awards[col], errors="coerce").dropna()
        assert ((v >= 0) & (v <= limits.MAX_COUNT)).all(), col


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(_mutant())
def test_mutated_real_files_never_raise_and_always_balance(tmp_path, mutant):
    name, data = mutant
    f = tmp_path / name
    f.write_bytes(data)
    ds = read([f], workers=1, progress=False)  # must not raise
    (row,) = ds.accounting.itertuples()
    assert row.rows_in == row.rows_accepted + row.rows_quarantined
    assert row.rows_in >= 1 and row.rows_accepted >= 0 and row.rows_quarantined >= 0
    if row.source in ("eforms", "ted-legacy"):
        assert row.rows_quarantined == len(ds.quarantine)
        assert row.rows_accepted == len(ds.notices)
    _bounded(ds)

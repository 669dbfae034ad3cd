"""keino_metrics.fetch.hilma against the fake Hilma on 127.0.0.1."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

import keino_metrics as km
from keino_metrics.cli import main
from keino_metrics.fetch.hilma import KeyProblem, fetch_hilma
from tests.fetch.conftest import QUICK
from tests.fetch.fake_services import FINNISH, FakeServices, hilma_notice

KEY = "s3cret-hilma-key-0123456789"
RANGE = {"start": date(2024, 1, 1), "end": date(2024, 12, 31)}


@pytest.fixture
def hilma(samples):
    """Fake Hilma serving the Finnish sample notice (and two others) with answers."""
    notices = {}
    chosen = [pn for pn, n in samples.items() if n["eforms"]][:2]
    chosen += [pn for pn, n in samples.items() if n["file"] == FINNISH]
    for k, pn in enumerate(chosen):
        xml = samples[pn]["xml"]
        lots = sorted(set(re.findall(rb'schemeName="Lot">(LOT-\d{4})<', xml)))
        stats = {lot.decode(): {"innovationConsidered": i % 2 == 0, "lowCarbon": False}
                 for i, lot in enumerate(lots)}
        nid = 20240000 + k
        notices[str(nid)] = {"json": hilma_notice(nid, xml, stats), "date": samples[pn]["date"]}
    with FakeServices({}, hilma=notices, key=KEY) as fake:
        yield fake


def _text_of(out) -> str:
    return "\n".join(p.read_text(errors="replace") for p in out.rglob("*")
                     if p.is_file() and p.suffix in (".json", ".jsonl"))


def test_missing_key_says_where_a_key_comes_from(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("HILMA_API_KEY", raising=False)
    with pytest.raises(KeyProblem, match="avp-read.*hns-hilma-prod-apim"):
        fetch_hilma(tmp_path, **RANGE)
    assert main(["fetch", "hilma", "--from", "2024-01-01", "--to", "2024-12-31",
                 "--out", str(tmp_path)]) == 2
    assert "HILMA_API_KEY is not set" in capsys.readouterr().err


def test_refused_key_is_named_but_never_shown(hilma, monkeypatch, tmp_path, capsys):
    wrong = "wrong-key-9876543210"
    monkeypatch.setenv("HILMA_API_KEY", wrong)
    code = main(["fetch", "hilma", "--from", "2024-01-01", "--to", "2024-12-31",
                 "--out", str(tmp_path), "--api-url", hilma.url])
    assert code == 2
    cap = capsys.readouterr()
    assert "refused the subscription key (HTTP 401)" in cap.err
    assert wrong not in cap.out + cap.err + _text_of(tmp_path)


def test_fetch_pages_stores_as_sent_and_reads_statistics(hilma, monkeypatch, tmp_path,
                                                         capsys):
    monkeypatch.setenv("HILMA_API_KEY", KEY)
    hilma.faults["/avp/eformnotices/docs/search"] = ["429"]
    first = next(iter(hilma.hilma))
    hilma.faults[f"/avp-eforms/external-read/v1/notice/{first}"] = ["503", "truncate"]
    code = main(["fetch", "hilma", "--from", "2024-01-01", "--to", "2024-12-31",
                 "--out", str(tmp_path), "--api-url", hilma.url, "--page-size", "2",
                 "--rate", "1000", "--backoff", "0.01", "--retry-after-max", "0.05"])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    assert all(h.get("Ocp-Apim-Subscription-Key") == KEY for h in hilma.headers_seen)
    assert KEY not in cap.out + cap.err + _text_of(tmp_path / ".fetch")
    for nid, h in hilma.hilma.items():
        assert (tmp_path / h["date"][:4] / f"{nid}.json").read_bytes() == h["json"]
    manifest = json.loads((tmp_path / ".fetch" / "manifest.json").read_text())
    assert manifest["runs"][0]["total"] == 3 and manifest["runs"][0]["search_pages"] == 2
    assert len(manifest["files"]) == 3 and manifest["failures"] == []
    data = km.read(tmp_path, workers=1, progress=False)
    stats = data.tables()["hilma_statistics"]
    assert len(stats) > 0
    assert set(stats["innovation_considered"].dropna()) == {True, False}
    # a second run downloads nothing
    gets = sum(n for p, n in hilma.counts.items() if "/external-read/" in p)
    run = fetch_hilma(tmp_path, settings=QUICK, api_url=hilma.url, **RANGE)
    assert sum(n for p, n in hilma.counts.items() if "/external-read/" in p) == gets
    assert run["skipped"] == 3 and run["downloaded"] == 0

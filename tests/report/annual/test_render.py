import pandas as pd
import pytest

from keino_metrics.report import blocks
from keino_metrics.report.annual import render


def test_section_shows_the_banner_only_for_demo_data():
    assert "keino-banner" in blocks.section("summary", "fi", demo=True)
    assert "keino-banner" not in blocks.section("samples", "fi", demo=False)
    assert '<h2 id="summary">Yhteenveto</h2>' in blocks.section("summary", "fi", demo=False)


def test_metadata_block_masks_machine_dependent_values():
    meta = {"parameters": {"year": 2025, "language": ["en"], "seed": 1, "data_dir": "d"},
            "demo": True,
            "inputs": {"data_dir": [{"path": "d/a", "bytes": 1234, "sha256": "ab"}],
                       "data_dir_digest": "cd", "samples_digest": "ef"},
            "lock_file": {"sha256": "11"}, "git_revision": "abc-dirty",
            "python": "3.11.7", "platform": "Linux", "packages": {"pandas": "3.1"},
            "row_counts": {"lots": 10}}
    html = blocks.metadata_block(meta, "en")
    for v in ("abc-dirty", "3.11.7", "Linux", "3.1", "11"):
        assert f'<span class="volatile">{v}</span>' in html
    assert "<code>ab</code>" in html and "1,234" in html


def _page_frame():
    import pandas as pd

    return pd.DataFrame([
        {"indicator_id": "SMS-01", "year": 2025, "value": 0.27, "numerator": 27.0,
         "denominator": 100.0, "unit": "share", "coverage": 0.97, "ci_low": 0.19,
         "ci_high": 0.36, "target": float("nan"), "light": "red", "warning": "",
         "threshold_source": "EU Single Market Scoreboard", "reference_values": "EU average 28 %",
         "limits": ""},
        {"indicator_id": "SMS-03", "year": 2025, "value": float("nan"),
         "numerator": float("nan"), "denominator": float("nan"), "unit": "share",
         "coverage": 0.0, "ci_low": float("nan"), "ci_high": float("nan"),
         "target": float("nan"), "light": None, "status": "not_measurable",
         "warning": "not measurable: no value could be computed from the data",
         "threshold_source": "", "reference_values": "", "limits": "Awarded values only."},
    ])


@pytest.mark.parametrize("lang, words, reason", [
    ("fi", "ei mitattavissa", "aineistosta ei voitu laskea arvoa"),
    ("en", "not measurable", "no value could be computed from the data")])
def test_scoreboard_table_shows_unmeasured_rows_in_words_without_a_light(lang, words, reason):
    html = render.scoreboard_table(_page_frame(), lang, {"SMS-01": "a", "SMS-03": "b"})
    rows = html.split("<tr>")[1:]  # the header row has a style
    assert "keino-light-red" in rows[0]
    assert words in rows[1] and reason in rows[1] and "keino-light" not in rows[1]
    assert "nan" not in html


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_new_pages_have_sections_and_reading_guides_in_both_languages(lang):
    from keino_metrics.labels import text

    for key in ("scoreboard", "risk", "capability"):
        sec = blocks.section(key, lang, demo=True, intro=text(f"text.{key}_intro", lang,
                                                              year=2025))
        assert "keino-banner" in sec
        assert f'<h2 id="{key}">{text(f"section.{key}", lang)}</h2>' in sec
        assert key == "capability" or "2025" in sec
        assert text(f"text.{key}_how_to_read", lang) != text(f"text.{key}_how_to_read",
                                                             "fi" if lang == "en" else "en")
    risk = render.risk_table(_page_frame(), lang, {})
    assert "Awarded values only." in risk


def test_capability_table_shows_alpha_and_interval():
    import pandas as pd

    frame = pd.DataFrame([{"indicator_id": "CAP-STRATEGY", "year": 2024, "value": 61.11,
                           "unit": "index", "ci_low": 58.59, "ci_high": 63.63,
                           "n_eligible": 717, "alpha": 0.8097, "warning": ""}])
    html = render.capability_table(frame, "fi", {"CAP-STRATEGY": "Strateginen johtaminen"})
    assert "61,1" in html and "58,6 – 63,6" in html and "0,81" in html and "717" in html


def _content(demo: bool, sources: tuple[str, ...]):
    from keino_metrics.report.annual.content import ReportContent

    empty = pd.DataFrame()
    return ReportContent(year=2024, innovation_ids=(), years=(2023, 2024), demo=demo,
                         by_year=empty, by_region=empty, by_buyer_group=empty, rows=empty,
                         completeness=empty, quarantine=empty, accounting=empty,
                         sources=sources)


def test_title_states_source_coverage_for_real_data_and_the_banner_for_demo():
    ted = render.title_block(_content(False, ("ted",)), "en", seed=1)
    assert "keino-banner\">" not in ted
    assert "above the EU thresholds" in ted and "not measurable" in ted
    both = render.title_block(_content(False, ("ted", "hilma")), "fi", seed=1)
    assert "EU-kynnysarvot ylittävät" in both and "Hilma (hankintailmoitukset.fi)" in both
    unknown = render.title_block(_content(False, ()), "en", seed=1)
    assert "not recorded" in unknown
    demo = render.title_block(_content(True, ()), "en", seed=1)
    assert "keino-banner\">" in demo and "Source coverage" not in demo


def test_trend_table_shows_no_number_for_a_year_not_measured():
    frame = pd.DataFrame([
        {"indicator_id": "RF-R048", "year": y, "value": v, "unit": "share", "coverage": 1.0,
         "status": s}
        for y, v, s in ((2024, 1.0, "data_limit"), (2025, float("nan"), "not_measurable"))])
    html = render.trend_table(frame, "fi", {"RF-R048": "Hajanainen toimittaja"})
    assert "aineiston rajoite" in html and "100" not in html
    assert "<td>–</td>" in html

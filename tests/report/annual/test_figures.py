import pandas as pd
import pytest
from matplotlib.figure import Figure

from keino_metrics.report import figures
from keino_metrics.report.annual import figures as annual

NAMES = {"KEINO-INNOV-MKT-N": "New to market", "KEINO-INNOV-BUY-N": "New to buyer"}


@pytest.mark.parametrize("demo", [True, False])
def test_share_trend_carries_the_demo_mark_only_for_demo_data(indicator_frame, demo):
    shares = indicator_frame[indicator_frame["unit"] == "share"]
    fig = annual.share_trend(shares, NAMES, lang="fi", title="Osuudet",
                              caption_text=figures.caption("fi", source="demo", n=3000),
                              demo=demo)
    assert isinstance(fig, Figure)
    assert figures.has_demo_mark(fig) is demo
    texts = [t.get_text() for t in fig.texts]
    assert any("N = 3\xa0000" in t for t in texts)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Osuus (%)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "New to market (KEINO-INNOV-MKT-N)", "New to buyer (KEINO-INNOV-BUY-N)"]


def test_innovation_target_draws_the_target_line(indicator_frame):
    rows = indicator_frame[(indicator_frame["year"] == 2025)
                           & indicator_frame["indicator_id"].str.startswith("KEINO-INNOV")]
    fig = annual.innovation_target(rows, NAMES, lang="en", title="Innovative",
                                    caption_text="cap", target=0.10, demo=True)
    assert figures.has_demo_mark(fig)
    ax = fig.axes[0]
    assert any(list(line.get_xdata()) == [0.10, 0.10] for line in ax.get_lines())
    assert ax.get_legend().get_texts()[0].get_text() == "Target 10%"


def test_volume_and_breakdown_figures(tmp_path):
    vol = pd.DataFrame({"year": [2024, 2025], "notices": [10, 12], "lots": [20, 25],
                        "value_eur": [3e6, 4e6]})
    fig = annual.volume_trend(vol, lang="en", title="Volume", caption_text="cap", demo=True)
    assert len(fig.axes) == 2 and figures.has_demo_mark(fig)
    assert fig.axes[1].get_ylabel() == "Awarded value (EUR million)"
    bars = pd.DataFrame({"region": ["Uusimaa", "Lappi"], "indicator_id": ["KEINO-INNOV-MKT-N"] * 2,
                         "value": [0.1, 0.2], "ci_low": [0.05, 0.1], "ci_high": [0.2, 0.3]})
    fig2 = annual.breakdown_bars(bars, NAMES, category="region", lang="fi", title="Maakunnat",
                                  xlabel="Osuus", caption_text="cap", demo=False)
    assert not figures.has_demo_mark(fig2)
    a = figures.save(fig2, tmp_path / "a.png").read_bytes()
    b = figures.save(fig2, tmp_path / "b.png").read_bytes()
    assert a == b and a[:4] == b"\x89PNG"


def test_caption_unit_is_checked():
    with pytest.raises(ValueError, match="unit"):
        figures.caption("fi", source="x", n=1, unit="apples")


def test_index_trend_draws_one_line_per_index_with_its_band():
    frame = pd.DataFrame({"indicator_id": ["CAP-A", "CAP-A", "CAP-B", "CAP-B"],
                          "year": [2022, 2024, 2022, 2024], "value": [50.0, 60.0, 40.0, 45.0],
                          "ci_low": [48.0, 58.0, 38.0, 43.0],
                          "ci_high": [52.0, 62.0, 42.0, 47.0]})
    fig = annual.index_trend(frame, {"CAP-A": "A", "CAP-B": "B"}, lang="fi", title="Indeksit",
                              caption_text=figures.caption("fi", source="demo", n=700,
                                                           unit="responses"), demo=True)
    ax = fig.axes[0]
    assert figures.has_demo_mark(fig)
    assert ax.get_ylabel() == "Indeksi (0–100)"
    assert [list(line.get_ydata()) for line in ax.get_lines()] == [[50.0, 60.0], [40.0, 45.0]]
    assert any("N = 700 vastausta" in t.get_text() for t in fig.texts)


def _tick_labels(fig, ax):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    return [t.get_text() for t in ax.get_yticklabels() if t.get_text()]


def test_index_ticks_are_round_and_never_repeat():
    frame = pd.DataFrame({"indicator_id": ["CAP-A"] * 4, "year": [2018, 2020, 2022, 2024],
                          "value": [50.4, 54.0, 56.9, 59.2], "ci_low": [49.0, 52.5, 55.6, 57.8],
                          "ci_high": [51.8, 55.5, 58.2, 60.6]})
    fig = annual.index_trend(frame, {"CAP-A": "A"}, lang="fi", title="t", caption_text="c")
    labels = _tick_labels(fig, fig.axes[0])
    values = [float(v.replace(",", ".")) for v in labels]
    steps = {round(b - a, 6) for a, b in zip(values, values[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() in (1.0, 2.0, 5.0, 10.0), labels
    assert len(set(labels)) == len(labels)


def test_narrow_share_axis_gets_decimals_instead_of_repeated_labels(indicator_frame):
    rows = indicator_frame[indicator_frame["indicator_id"] == "KEINO-INNOV-MKT-N"].copy()
    rows["value"], rows["ci_low"], rows["ci_high"] = 0.012, 0.010, 0.014
    fig = annual.share_trend(rows, {"KEINO-INNOV-MKT-N": "x"}, lang="fi", title="t",
                              caption_text="c")
    ax = fig.axes[0]
    ax.set_ylim(0, 0.02)
    labels = _tick_labels(fig, ax)
    assert len(set(labels)) == len(labels) and any("," in v for v in labels), labels


@pytest.mark.parametrize("lang, expected", [("fi", "DEMOAINEISTO"), ("sv", "DEMODATA"),
                                            ("en", "DEMO DATA")])
def test_demo_mark_is_in_the_page_language_and_apart_from_the_caption(lang, expected):
    vol = pd.DataFrame({"year": [2024, 2025], "notices": [10, 12], "lots": [20, 25],
                        "value_eur": [3e6, 4e6]})
    fig = annual.volume_trend(vol, lang=lang, title="t", caption_text="A long caption " * 8,
                              demo=True)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    mark = next(t for t in fig.texts if t.get_gid() == figures.DEMO_MARK_GID)
    assert mark.get_text() == expected
    cap = next(t for t in fig.texts if t.get_text().startswith("A long caption"))
    r = canvas.get_renderer()
    assert not mark.get_window_extent(r).overlaps(cap.get_window_extent(r))


def test_figure_html_needs_an_alt_text():
    fig = Figure()
    fig.subplots()
    out = figures.figure_html(fig, "Kuvio: <testi>")
    assert out.startswith('<figure class="keino-figure"><img alt="Kuvio: &lt;testi&gt;"')
    assert "data:image/png;base64," in out
    with pytest.raises(ValueError, match="alternative text"):
        figures.figure_html(fig, " ")

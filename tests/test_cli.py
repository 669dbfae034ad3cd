import subprocess
import sys

import pytest

from keino_metrics.cli import build_parser, main


def test_help_explains_every_subcommand(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for cmd in ("report", "ingest", "indicators", "demo"):
        assert cmd in text
    for cmd in ("report", "ingest", "indicators", "demo"):
        with pytest.raises(SystemExit):
            main([cmd, "--help"])
        assert "usage: keino " + cmd in capsys.readouterr().out


def test_bad_arguments_are_rejected_before_anything_runs(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--year", "2025; import os"])
    assert "invalid int value" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "--language", "de"])


def test_python_dash_m_entry_point():
    out = subprocess.run([sys.executable, "-m", "keino_metrics", "--help"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.startswith("usage: keino")
    assert build_parser().prog == "keino"


def test_bad_impact_parameter_fails_before_any_report_runs(capsys, monkeypatch):
    from keino_metrics.report import driver

    def never(*args, **kwargs):
        raise AssertionError("no data may be read")

    monkeypatch.setattr(driver, "load_data", never)
    assert main(["report", "--outcome", "NO-SUCH-ID", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "outcome" in err and "NO-SUCH-ID" in err


def _tiny_demo(monkeypatch):
    from keino_metrics import demo
    from keino_metrics.report import driver

    data = demo.generate(seed=4, scale=0.01)
    monkeypatch.setattr(driver, "load_data", lambda data_dir, seed=2024: data)

    def never(*args, **kwargs):
        raise AssertionError("no report content may be computed")

    monkeypatch.setattr(driver, "_contents", never)
    return data


def test_unknown_programme_fails_before_any_report_runs(capsys, monkeypatch):
    _tiny_demo(monkeypatch)
    assert main(["report", "--programme", "NO-SUCH-PROGRAMME", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "programme" in err and "NO-SUCH-PROGRAMME" in err


def test_year_outside_the_data_fails_before_any_report_runs(capsys, monkeypatch):
    _tiny_demo(monkeypatch)
    assert main(["report", "--year", "2099", "--no-progress", "--no-impact"]) == 2
    err = capsys.readouterr().err
    assert "year" in err and "2099" in err


def test_ingest_refuses_a_file_or_a_full_folder_as_out(tmp_path, capsys):
    target = tmp_path / "out.parquet"
    target.write_text("x", encoding="utf-8")
    assert main(["ingest", str(tmp_path), "--out", str(target), "--no-progress"]) == 2
    assert "not a folder" in capsys.readouterr().err
    full = tmp_path / "full"
    full.mkdir()
    (full / "lots.parquet").write_bytes(b"old")
    assert main(["ingest", str(tmp_path / "nothing*"), "--out", str(full)]) == 2
    assert main(["ingest", str(target), "--out", str(full), "--no-progress"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert (full / "lots.parquet").read_bytes() == b"old"


DEMO = ["--data", "data/raw/demo"]


def test_indicator_table_fits_the_width(capsys):
    assert main(["indicators", "--ids", "SMS-", "--by", "year", *DEMO, "--width", "90"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 10
    assert max(map(len, lines)) <= 90
    assert any(line.rstrip().endswith("…") or "…" in line for line in lines)
    assert "nan" not in "\n".join(lines)


def test_indicator_machine_formats(capsys):
    import io
    import json

    import pandas as pd

    assert main(["indicators", "--ids", "SMS-03", "SMS-01", "--by", "year", *DEMO,
                 "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert {"status", "status_reason", "light_rule", "name"} <= set(frame.columns)
    assert (frame.loc[frame["indicator_id"] == "SMS-03", "status"] == "not_measurable").all()
    assert main(["indicators", "--ids", "SMS-03", *DEMO, "--format", "json",
                 "--lang", "fi"]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert rows[0]["status_label"] == "ei mitattavissa"
    assert rows[0]["estimate"] is None


def test_pooling_is_stated(capsys):
    assert main(["indicators", "--ids", "SMS-01", *DEMO]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("# pooled over all years")
    assert main(["indicators", "--ids", "SMS-01", *DEMO, "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert "pooled" in captured.err and "pooled" not in captured.out


@pytest.mark.parametrize(("lang", "words"), [
    ("fi", ("Indikaattori", "Arvo", "Tila", "mitattu", "ei mitattavissa", "punainen")),
    ("sv", ("Indikator", "Värde", "Status", "mätt", "inte mätbar", "röd")),
])
def test_lang_applies_to_every_column(capsys, lang, words):
    assert main(["indicators", "--ids", "SMS-01", "SMS-03", "--by", "year", *DEMO,
                 "--lang", lang, "--width", "200"]) == 0
    out = capsys.readouterr().out
    for w in words:
        assert w in out
    for english in ("Value", "Coverage", "not measurable", "measured ", "red "):
        assert english not in out


def test_closed_pipe_ends_quietly():
    cmd = (f"{sys.executable} -m keino_metrics indicators --ids all --by year "
           "--data data/raw/demo | head -n 2")
    out = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True,
                         text=True)
    assert "Traceback" not in out.stderr and "BrokenPipeError" not in out.stderr
    assert out.returncode == 0
    assert len(out.stdout.splitlines()) == 2


@pytest.mark.parametrize("argv", [
    ["indicators", "--ids", "SMS-01", "--data", "/nonexistent/keino"],
    ["report", "--data-dir", "/nonexistent/keino", "--no-progress"],
])
def test_missing_data_dir_is_one_line(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "/nonexistent/keino" in err and "does not exist" in err
    assert "PosixPath" not in err


def test_catalogue_table_fits_and_speaks_the_language(capsys):
    assert main(["indicators", "--family", "SMS-", "--width", "80"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["Id", "Name", "Unit"]
    assert max(map(len, lines)) <= 80
    assert main(["indicators", "--family", "SMS-", "--lang", "fi", "--width", "80"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["Tunnus", "Nimi", "Yksikkö"]
    assert "osuus" in out and "share" not in out and "scoreboard" not in out

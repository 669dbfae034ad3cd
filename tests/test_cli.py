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
    import keino_metrics.report.run as run

    def never(**kwargs):
        raise AssertionError("the annual report must not start")

    monkeypatch.setattr(run, "build_report", never)
    assert main(["report", "--outcome", "NO-SUCH-ID", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "outcome" in err and "NO-SUCH-ID" in err


def _tiny_demo(monkeypatch):
    import keino_metrics.report.run as run
    from keino_metrics import demo

    data = demo.generate(seed=4, scale=0.01)
    monkeypatch.setattr(run, "load_data", lambda data_dir, seed=2024: data)

    def never(**kwargs):
        raise AssertionError("no report may start")

    monkeypatch.setattr(run, "build_report", never)
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

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

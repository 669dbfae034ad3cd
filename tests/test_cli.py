import os
import re
import subprocess
import sys

import pytest

from keino_metrics import labels
from keino_metrics.cli import build_parser, help_language, main

LANGUAGE_VARIABLES = ("KEINO_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


@pytest.fixture(autouse=True)
def _english_environment(monkeypatch):
    """Every test starts without a language in the environment (help in English)."""
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _env(**values: str) -> dict[str, str]:
    """The environment for a child process: no language variables but ``values``."""
    env = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    return {**env, **values}


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
                         capture_output=True, text=True, check=True, env=_env())
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
    assert rows[0]["warning"].startswith("not measurable")  # canonical, English
    assert rows[0]["warning_label"].startswith("ei mitattavissa")


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
    for english in ("Value", "Coverage", "not measurable", "measured ", "red ", "Note",
                    "the data", "no data", "English"):
        assert english not in out
    # the not-measurable rows say why, in the language (notes from the catalogue)
    note_col = out.splitlines()[0].split()[-1]
    assert note_col == {"fi": "Huomio", "sv": "Anmärkning"}[lang]


def test_lang_lists_families_and_definitions_in_the_language(capsys):
    assert main(["indicators", "--list", "--family", "SMS-", "--lang", "sv", "--width", "400"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["Id", "Namn", "Enhet", "Grupp", "Definition"]
    assert "resultattavlan för den inre marknaden" in out and "andel" in out
    assert "Single Market Scoreboard" not in out and " share " not in out


def test_closed_pipe_ends_quietly():
    cmd = (f"{sys.executable} -m keino_metrics indicators --ids all --by year "
           "--data data/raw/demo | head -n 2")
    out = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True,
                         text=True, env=_env())
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


@pytest.mark.parametrize(("lang", "words"), [
    ("fi", ("keino report: virhe:", "aineistohakemistoa /nonexistent/keino ei ole")),
    ("sv", ("keino report: fel:", "datakatalogen /nonexistent/keino finns inte")),
])
def test_the_commands_speak_the_chosen_language(capsys, monkeypatch, tmp_path, lang, words):
    monkeypatch.setenv("KEINO_LANG", lang)
    assert main(["report", "--data-dir", "/nonexistent/keino", "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert all(w in err for w in words) and "error" not in err
    assert main(["demo", "--seed", "3", "--scale", "0.01", "--out", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out.strip()
    assert out == labels.text("cli.say.demo_written", lang, out=tmp_path / "d")
    assert "written" not in out and "generated" not in out


def test_catalogue_table_fits_and_speaks_the_language(capsys):
    assert main(["indicators", "--family", "SMS-", "--width", "80"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["Id", "Name", "Unit"]
    assert max(map(len, lines)) <= 80
    assert main(["indicators", "--family", "SMS-", "--lang", "fi", "--width", "80"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["Tunnus", "Nimi", "Yksikkö"]
    assert "osuus" in out and "share" not in out and "scoreboard" not in out


# -- the help in Finnish, Swedish and English -------------------------------

#: English words and phrases that must not appear in the Finnish or Swedish help.
ENGLISH = ("the", "and", "of", "usage", "options", "option", "show", "help", "message",
           "exit", "positional", "arguments", "default", "report year", "directory",
           "files", "folder", "output", "write", "read", "with", "without", "from", "seed",
           "language", "notices", "download", "list", "compute", "year", "latest",
           "examples", "commands", "sources", "error", "invalid", "choice", "expected",
           "required", "unrecognized", "else", "locale")


def _parsers(parser, path=()):
    """``(path, parser)`` for ``parser`` and every subcommand under it."""
    yield path, parser
    if getattr(parser, "subcommands", None) is not None:
        for name, child in parser.subcommands.choices.items():
            yield from _parsers(child, (*path, name))


def _prose(help_text: str) -> str:
    """``help_text`` without what stays the same in every language: the usage
    synopsis, example commands, command names, option names, metavars, choices,
    codes, paths and URLs."""
    synopsis, _, rest = help_text.partition("\n\n")
    lines = [re.sub(r"^ {4}[a-z]+\b", " ", line) for line in rest.splitlines()
             if not re.match(r"\s+(keino|HILMA_API_KEY=)", line)]
    text = "\n".join([synopsis.split()[0], *lines])
    text = re.sub(r"-\n\s*", "-", text)                      # words broken at a hyphen
    text = re.sub(r"year\s+region_code\s+buyer_group", " ", text)  # breakdown codes
    text = re.sub(r"\{[^}]*\}", " ", text)                   # choices {fi,sv,en}
    text = re.sub(r"\S*(?:[/$=_]|\.\w)\S*", " ", text)       # paths, URLs, file names, codes
    text = re.sub(r"(?<!\w)--?[A-Za-z][\w-]*", " ", text)    # option names
    text = re.sub(r"\b[A-Z][A-Z0-9_]+\b", " ", text)          # metavars, acronyms
    text = re.sub(r"\b(paths|table|csv|json|all|avp-read)\b", " ", text)  # metavar, codes
    return text


def _english(help_text: str) -> set[str]:
    """The words and phrases of ``ENGLISH`` in the prose of ``help_text``."""
    prose = _prose(help_text).lower()
    return {w for w in ENGLISH if re.search(rf"\b{w}\b", prose)}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_help_speaks_the_language(lang):
    parsers = dict(_parsers(build_parser(lang)))
    assert set(parsers) == {(), ("report",), ("ingest",), ("indicators",), ("site",),
                            ("demo",), ("fetch",), ("fetch", "ted"), ("fetch", "hilma")}
    for path, parser in parsers.items():
        help_text = parser.format_help()
        assert help_text.startswith(labels.text("cli.usage", lang) + " keino"), path
        assert _english(help_text) == set(), path


def test_the_check_sees_english_where_there_is_english():
    for path, parser in _parsers(build_parser("en")):
        assert {"usage", "options", "show", "help"} <= _english(parser.format_help()), path
    report = dict(_parsers(build_parser("en")))[("report",)].format_help()
    assert {"default", "report year", "directory", "the", "of", "and"} <= _english(report)


def test_every_help_text_is_in_every_catalogue():
    en, fi, sv = ({k for k in labels.keys(x) if k.startswith("cli.")} for x in ("en", "fi", "sv"))
    assert len(en) > 50 and en == fi == sv


def test_help_examples_and_names_stay_the_same(capsys):
    helps = {lang: build_parser(lang).format_help() for lang in ("fi", "sv", "en")}
    for lang, text in helps.items():
        assert "  keino indicators --explain SMS-01" in text, lang
        assert "-h, --help" in text and "COMMAND" in text, lang
    assert "esimerkkejä:" in helps["fi"] and "exempel:" in helps["sv"]


@pytest.mark.parametrize(("argv", "environ", "lang"), [
    (["report", "--lang", "sv", "--help"], {"KEINO_LANG": "fi", "LANG": "fi_FI.UTF-8"}, "sv"),
    (["report", "--language", "fi", "sv", "--help"], {"KEINO_LANG": "sv"}, "fi"),
    (["indicators", "--lang=fi"], {"KEINO_LANG": "en"}, "fi"),
    (["site", "--language=sv"], {}, "sv"),
    (["report", "--language", "de", "--lang", "sv"], {}, "sv"),
    (["ingest", "--", "--lang", "fi"], {}, "en"),
    (["report", "--help"], {"KEINO_LANG": "sv", "LANG": "fi_FI.UTF-8"}, "sv"),
    (["report", "--help"], {"KEINO_LANG": "FI"}, "fi"),
    (["report", "--help"], {"LC_ALL": "sv_FI.UTF-8", "LANG": "fi_FI.UTF-8"}, "sv"),
    (["report", "--help"], {"LC_MESSAGES": "fi_FI.UTF-8", "LANG": "sv_SE.UTF-8"}, "fi"),
    (["report", "--help"], {"LC_ALL": "", "LANG": "fi_FI.UTF-8"}, "fi"),
    (["report", "--help"], {"LC_ALL": "C.UTF-8", "LANG": "fi_FI.UTF-8"}, "en"),
    (["report", "--help"], {"LANG": "de_DE.UTF-8"}, "en"),
    (["report", "--help"], {}, "en"),
])
def test_help_language_order(argv, environ, lang):
    assert help_language(argv, environ) == lang


def test_a_bad_keino_lang_is_named_and_ignored(capsys):
    assert help_language([], {"KEINO_LANG": "de", "LANG": "sv_SE.UTF-8"}) == "sv"
    assert "KEINO_LANG=de" in capsys.readouterr().err


@pytest.mark.parametrize(("env", "usage"), [
    ({"KEINO_LANG": "sv"}, "användning: keino report"),
    ({"LANG": "fi_FI.UTF-8"}, "käyttö: keino report"),
    ({}, "usage: keino report"),
])
def test_main_reads_the_environment(monkeypatch, capsys, env, usage):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stop:
        main(["report", "--help"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith(usage)


@pytest.mark.parametrize(("argv", "heading", "words"), [
    (["report", "--lang", "sv", "--help"], "användning: keino report", ("flaggor:", "standard")),
    (["report", "--language", "fi", "sv", "--help"], "käyttö: keino report",
     ("valitsimet:", "oletus")),
    (["--help"], "usage: keino", ("commands:", "options:")),
])
def test_python_dash_m_help_in_a_language(argv, heading, words):
    out = subprocess.run([sys.executable, "-m", "keino_metrics", *argv], capture_output=True,
                         text=True, env=_env())
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(heading)
    for w in words:
        assert w in out.stdout


@pytest.mark.parametrize(("lang", "expected"), [
    ("fi", "keino report: virhe: argumentti --year: virheellinen int-arvo: 'x'"),
    ("sv", "keino report: fel: argument --year: ogiltigt int-värde: 'x'"),
    ("en", "keino report: error: argument --year: invalid int value: 'x'"),
])
def test_argument_errors_in_the_language(monkeypatch, capsys, lang, expected):
    monkeypatch.setenv("KEINO_LANG", lang)
    with pytest.raises(SystemExit) as stop:
        main(["report", "--year", "x"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == expected
    assert err.startswith(labels.text("cli.usage", lang) + " keino report")


@pytest.mark.parametrize(("argv", "finnish"), [
    (["fetch", "ted", "--from", "2024-13-01", "--to", "2024-01-01", "--out", "x"],
     "'2024-13-01' ei ole päivämäärä muodossa YYYY-MM-DD"),
    (["fetch", "ted"], "seuraavat argumentit puuttuvat: --from, --to, --out"),
    (["demo", "--bogus"], "tuntemattomat argumentit: --bogus"),
    (["report", "--language", "de"], "virheellinen valinta: 'de'"),
    (["indicators", "--ids"], "odotettiin vähintään yhtä arvoa"),
])
def test_every_argparse_message_we_meet_is_translated(monkeypatch, capsys, argv, finnish):
    monkeypatch.setenv("KEINO_LANG", "fi")
    with pytest.raises(SystemExit):
        main(argv)
    assert finnish in capsys.readouterr().err

"""The ``keino`` command line (also ``python -m keino_metrics``).

Subcommands
-----------
``keino report``
    Regenerate the annual evaluation report and, beside it, the impact report
    (papermill, HTML, figures, Excel/CSV tables and metadata under
    ``reports/<year>/``).
``keino site``
    Build the static website: overview, a page per region, buyer group, buyer
    and indicator in fi, sv and en (``site/``).
``keino ingest``
    Read procurement files (eForms, legacy TED XML, TED CSV, Hilma JSON, OCDS)
    into validated canonical Parquet tables and print the accounting.
``keino indicators``
    List, explain or compute indicators of the catalogue.
``keino demo``
    Write the generated demonstration corpus.
``keino fetch``
    Download real notices from TED (``keino fetch ted``) or Hilma
    (``keino fetch hilma``) into ``data/raw/<source>/``, resumably.

Language of the help
--------------------
The help (``--help``), the usage lines and argparse's messages about the
command line are in Finnish, Swedish or English, chosen before the command
line is parsed (:func:`help_language`), in this order:

1. ``--lang X``, ``--language X``, ``--lang=X`` or ``--language=X`` on the
   command line, X one of fi, sv, en (``--language fi sv``: the first, fi);
2. the environment variable ``KEINO_LANG`` (fi, sv or en);
3. the locale: the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is
   set decides: fi when it starts with ``fi``, sv when it starts with ``sv``;
4. English.

Every text is in the ``[cli]`` section of the language catalogue
(:mod:`keino_metrics.labels`). Names stay the same in every language: the
commands, option names, metavars (``COMMAND``, ``YEAR``, ...), choices, codes,
file paths and the example commands.

argparse from the standard library is enough for six subcommands; it keeps
the entry point free of extra dependencies. Its own words ("usage:",
"options", ...) come from a gettext domain that Python ships in English only;
:class:`_Parser` replaces them through argparse's public interface (see there)
and writes argparse's error messages again from English templates in the
catalogue (``[cli.argparse]``).
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn

from keino_metrics import labels, paths

__all__ = ["main", "build_parser", "help_language"]

#: The example commands of ``keino --help``, each with the catalogue key of its
#: comment (under ``cli.example``) or None. Commands are the same in every language.
_EXAMPLES: tuple[tuple[str, str | None], ...] = (
    ("keino report", "report"),
    ("keino report --year 2022 --language en", None),
    ("keino ingest data/raw/samples --out data/processed", None),
    ("keino indicators --list", None),
    ("keino indicators --explain SMS-01", None),
    ("keino indicators --ids SMS-01 KEINO-INNOV-MKT-N --by year --data data/raw/demo", None),
    ("keino demo --seed 7 --out /tmp/demo", None),
    ("keino site --out site/ --language fi sv en", None),
    ("keino fetch ted --country FIN --from 2023-01-01 --to 2024-12-31 --out data/raw/ted", None),
    ("HILMA_API_KEY=... keino fetch hilma --from 2024-01-01 --to 2024-12-31 "
     "--out data/raw/hilma", None),
)

#: Options that name a language, in every subcommand that has one.
_LANGUAGE_OPTIONS = ("--lang", "--language")
#: Environment variables of the locale, in the order that decides (POSIX).
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
_LANGUAGE_CHOICES = list(labels.LANGUAGES)
#: argparse's message about one argument: ``argument NAME: MESSAGE``.
_ARGUMENT_MESSAGE = re.compile(r"argument (\S+): (.*)", re.DOTALL)


def _say(key: str, lang: str, **values: object) -> str:
    """The text ``cli.<key>`` of the catalogue in ``lang``."""
    return labels.text(f"cli.{key}", lang, **values)


def _count(n: int, lang: str) -> str:
    """A count with the thousands separator of ``lang``."""
    from keino_metrics.report.numbers import number

    return number(n, lang)


def _seconds(s: float, lang: str) -> str:
    """Seconds with one decimal, in ``lang``."""
    from keino_metrics.report.numbers import number

    return number(s, lang, 1)


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with the usage heading in the help's language."""

    def __init__(self, prog: str, *, usage_prefix: str, **kwargs) -> None:
        super().__init__(prog, **kwargs)
        self.usage_prefix = usage_prefix

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups,
                          self.usage_prefix if prefix is None else prefix)


class _ExamplesFormatter(_HelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the line breaks of the description and the epilog (the examples)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose help speaks ``lang``.

    argparse ships its own words ("usage:", "positional arguments", "options",
    "show this help message and exit") in English only, through its gettext
    domain, for which Python has no Finnish or Swedish translation. They are
    replaced through argparse's public interface: the usage heading by the
    formatter's ``prefix``, the ``-h/--help`` option by one added with a
    translated help, and the two groups by groups created with translated
    titles; arguments go into those groups (:meth:`positional`,
    :meth:`option`), never into the parser's own ones.
    """

    def __init__(self, *args, lang: str, commands: Mapping[str, str] | None = None,
                 examples: bool = False, **kwargs) -> None:
        formatter = _ExamplesFormatter if examples else _HelpFormatter
        kwargs.setdefault("formatter_class", functools.partial(
            formatter, usage_prefix=_say("usage", lang) + " "))
        super().__init__(*args, add_help=False, **kwargs)
        self.lang = lang
        #: The subcommands (``commands``: their title key, dest and metavar), made
        #: first so that they come before the options in the help, as argparse
        #: places positional arguments; each one is a ``_Parser`` in ``lang``.
        self.subcommands = None if commands is None else self.add_subparsers(
            title=_say(commands["title"], lang), dest=commands["dest"],
            metavar=commands["metavar"], required=True,
            parser_class=functools.partial(_Parser, lang=lang))
        self.positionals = self.add_argument_group(_say("positionals", lang))
        self.options = self.add_argument_group(_say("options", lang))
        self.options.add_argument("-h", "--help", action="help", help=_say("help", lang))

    def error(self, message: str) -> NoReturn:
        """Print the usage and ``message`` in the parser's language; exit with status 2.

        argparse composes its messages in English. Each is recognised by its
        template under ``cli.argparse`` in the English catalogue and written
        again from the same key in ``lang`` (:func:`keino_metrics.labels.translate`);
        a message that matches no template is kept as it is.
        """
        found = _ARGUMENT_MESSAGE.fullmatch(message)
        if found:
            message = _say("argument", self.lang, argument=found[1],
                           message=labels.translate(found[2], "cli.argparse", self.lang))
        else:
            message = labels.translate(message, "cli.argparse", self.lang)
        self.print_usage(sys.stderr)
        self.exit(2, _say("error", self.lang, prog=self.prog, message=message) + "\n")

    def positional(self, *args, **kwargs) -> argparse.Action:
        """Add a positional argument to the translated group."""
        return self.positionals.add_argument(*args, **kwargs)

    def option(self, *args, **kwargs) -> argparse.Action:
        """Add an option to the translated group."""
        return self.options.add_argument(*args, **kwargs)


def _epilog(lang: str) -> str:
    width = max(len(cmd) for cmd, key in _EXAMPLES if key) + 2
    lines = [_say("examples", lang)]
    for cmd, key in _EXAMPLES:
        lines.append(f"  {cmd:<{width}}{_say('example.' + key, lang)}" if key else f"  {cmd}")
    lines += ["", *textwrap.wrap(_say("language_note", lang), width=78)]
    return "\n".join(lines) + "\n"


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """The argument parser, its help in ``lang`` (exposed for documentation and tests).

    Raises
    ------
    ValueError
        If ``lang`` is not one of fi, sv, en.
    """
    labels.check_language(lang)

    def say(key: str, **values: object) -> str:
        return _say(key, lang, **values)

    p = _Parser(prog="keino", lang=lang, examples=True, description=say("description"),
                epilog=_epilog(lang),
                commands={"title": "commands", "dest": "command", "metavar": "COMMAND"})
    sub = p.subcommands

    r = sub.add_parser("report", help=say("report.help"), description=say("report.description"))
    r.option("--year", type=int, default=None, help=say("report.year"))
    r.option("--data-dir", type=Path, default=None, help=say("report.data_dir"))
    r.option("--language", nargs="+", choices=_LANGUAGE_CHOICES, default=["fi", "en"],
             help=say("report.language", default="fi en"))
    r.option("--seed", type=int, default=2024, help=say("report.seed", default=2024))
    r.option("--out", type=Path, default=None, help=say("report.out"))
    r.option("--no-progress", action="store_true", help=say("report.no_progress"))
    r.option("--no-impact", action="store_true", help=say("report.no_impact"))
    r.option("--outcome", default="KEINO-INNOV-MKT-N",
             help=say("report.outcome", default="KEINO-INNOV-MKT-N"))
    r.option("--programme", default="all", help=say("report.programme"))
    r.option("--control", choices=["never_treated", "not_yet_treated"],
             default="never_treated", help=say("report.control"))

    i = sub.add_parser("ingest", help=say("ingest.help"), description=say("ingest.description"))
    i.positional("paths", nargs="+", help=say("ingest.paths"))
    i.option("--out", type=Path, required=True, help=say("ingest.out"))
    i.option("--overwrite", action="store_true", help=say("ingest.overwrite"))
    i.option("--workers", type=int, default=None, help=say("ingest.workers"))
    i.option("--no-progress", action="store_true", help=say("ingest.no_progress"))

    n = sub.add_parser("indicators", help=say("indicators.help"),
                       description=say("indicators.description"))
    n.option("--list", action="store_true", help=say("indicators.list"))
    n.option("--family", default=None, help=say("indicators.family"))
    n.option("--explain", metavar="ID", default=None, help=say("indicators.explain"))
    n.option("--ids", nargs="+", default=None, help=say("indicators.ids"))
    n.option("--by", nargs="*", default=None, help=say("indicators.by"))
    n.option("--data", type=Path, default=None, help=say("indicators.data"))
    n.option("--lang", choices=_LANGUAGE_CHOICES, default="en",
             help=say("indicators.lang", default="en"))
    n.option("--format", choices=["table", "csv", "json"], default="table",
             help=say("indicators.format"))
    n.option("--width", type=int, default=None, help=say("indicators.width"))
    n.option("--out", type=Path, default=None, help=say("indicators.out"))

    s = sub.add_parser("site", help=say("site.help"), description=say("site.description"))
    s.option("--data-dir", type=Path, default=None, help=say("site.data_dir"))
    s.option("--year", type=int, default=None, help=say("site.year"))
    s.option("--out", type=Path, default=Path("site"), help=say("site.out", default="site/"))
    s.option("--language", nargs="+", default=["fi", "sv", "en"], choices=_LANGUAGE_CHOICES,
             help=say("site.language", default="fi sv en"))
    s.option("--seed", type=int, default=2024, help=say("site.seed", default=2024))

    d = sub.add_parser("demo", help=say("demo.help"), description=say("demo.description"))
    d.option("--out", type=Path, default=None, help=say("demo.out"))
    d.option("--seed", type=int, default=2024, help=say("demo.seed", default=2024))
    d.option("--scale", type=float, default=1.0, help=say("demo.scale", default=1.0))

    f = sub.add_parser("fetch", help=say("fetch.help"), description=say("fetch.description"),
                       commands={"title": "sources", "dest": "source", "metavar": "SOURCE"})
    ft = f.subcommands.add_parser("ted", help=say("fetch_ted.help"),
                                  description=say("fetch_ted.description"))
    ft.option("--country", default="FIN", help=say("fetch_ted.country", default="FIN"))
    ft.option("--bulk", action="store_true", help=say("fetch_ted.bulk"))
    ft.option("--api-url", default=None, help=say("fetch_ted.api_url"))
    ft.option("--search-path", default="/v3/notices/search",
              help=say("fetch_ted.search_path", default="/v3/notices/search"))
    fh = f.subcommands.add_parser("hilma", help=say("fetch_hilma.help"),
                                  description=say("fetch_hilma.description"))
    fh.option("--api-url", default=None, help=say("fetch_hilma.api_url"))
    for q in (ft, fh):
        q.option("--from", dest="start", type=_date, required=True, help=say("fetch.from"))
        q.option("--to", dest="end", type=_date, required=True, help=say("fetch.to"))
        q.option("--out", type=Path, required=True, help=say("fetch.out"))
        q.option("--since-last", action="store_true", help=say("fetch.since_last"))
        q.option("--rate", type=float, default=None, help=say("fetch.rate"))
        q.option("--concurrency", type=int, default=None, help=say("fetch.concurrency"))
        q.option("--attempts", type=int, default=None, help=say("fetch.attempts"))
        q.option("--backoff", type=float, default=None, help=say("fetch.backoff"))
        q.option("--retry-after-max", type=float, default=None,
                 help=say("fetch.retry_after_max"))
        q.option("--timeout", type=float, default=None, help=say("fetch.timeout"))
        q.option("--page-size", type=int, default=None, help=say("fetch.page_size"))
        q.option("--no-progress", action="store_true", help=say("fetch.no_progress"))
    return p


def help_language(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language of the help: fi, sv or en.

    In this order: the first ``--lang X``, ``--language X``, ``--lang=X`` or
    ``--language=X`` in ``argv`` whose value ``X`` is fi, sv or en (of
    ``--language fi sv`` the first, fi); else the environment variable
    ``KEINO_LANG`` (fi, sv or en; another value is ignored with a warning on
    standard error); else the locale: the first of ``LC_ALL``, ``LC_MESSAGES``
    and ``LANG`` that is set and not empty decides, fi when it starts with
    ``fi``, sv when it starts with ``sv``; else en.

    Parameters
    ----------
    argv
        The command line without the program name.
    environ
        The environment (default: ``os.environ``).
    """
    environ = os.environ if environ is None else environ
    for k, arg in enumerate(argv):
        if arg == "--":
            break
        option, has_value, value = arg.partition("=")
        if option in _LANGUAGE_OPTIONS:
            if not has_value:
                value = argv[k + 1] if k + 1 < len(argv) else ""
            if value in labels.LANGUAGES:
                return value
    chosen = environ.get("KEINO_LANG", "").strip()
    if chosen.lower() in labels.LANGUAGES:
        return chosen.lower()
    lang = "en"
    for name in _LOCALE_VARIABLES:
        if environ.get(name):
            locale = environ[name].lower()
            lang = next((code for code in labels.LANGUAGES if locale.startswith(code)), "en")
            break
    if chosen:
        print(_say("bad_env_language", lang, value=chosen, languages=", ".join(_LANGUAGE_CHOICES)),
              file=sys.stderr)
    return lang


def _date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        # in English, as argparse's own messages: _Parser.error translates it
        raise argparse.ArgumentTypeError(
            _say("argparse.not_a_date", "en", value=repr(text))) from None


def _cmd_fetch(a: argparse.Namespace) -> int:
    import dataclasses

    from keino_metrics.fetch import hilma, ted
    from keino_metrics.fetch.http import FetchError

    module = ted if a.source == "ted" else hilma
    defaults = ted.TED_SETTINGS if a.source == "ted" else hilma.HILMA_SETTINGS
    chosen = {"rate": a.rate, "concurrency": a.concurrency, "attempts": a.attempts,
              "backoff_initial": a.backoff, "retry_after_max": a.retry_after_max,
              "timeout": a.timeout}
    settings = dataclasses.replace(defaults, **{k: v for k, v in chosen.items()
                                                if v is not None})
    common = dict(start=a.start, end=a.end, api_url=a.api_url, since_last=a.since_last,
                  settings=settings, progress=not a.no_progress,
                  page_size=a.page_size or module.PAGE_SIZE)
    try:
        if a.source == "ted":
            run = ted.fetch_ted(a.out, country=a.country, bulk=a.bulk,
                                search_path=a.search_path, **common)
        else:
            run = hilma.fetch_hilma(a.out, **common)
    except FetchError as exc:
        print(_say("error", a.ui_lang, prog=f"keino fetch {a.source}", message=exc),
              file=sys.stderr)
        return 1
    lang, total = a.ui_lang, run.get("total")
    reported = (_say("say.service_total", lang, total=_count(total, lang)) if total is not None
                else _say("say.service_no_total", lang))
    print(_say("say.fetched", lang, source=a.source, start=run["from"], end=run["to"],
               reported=reported, found=_count(run["found"], lang),
               downloaded=_count(run["downloaded"], lang),
               skipped=_count(run["skipped"], lang), failed=_count(run["failed"], lang),
               stored=_count(run["files_stored"], lang), out=a.out, seconds=run["seconds"],
               retries=_count(run.get("retries", 0), lang)))
    if run["failures_open"]:
        print(_say("say.fetch_failures", lang, n=_count(run["failures_open"], lang),
                   manifest=a.out / ".fetch" / "manifest.json"), file=sys.stderr)
    if total is not None and total != run["found"]:
        print(_say("say.total_differs", lang, total=_count(total, lang),
                   found=_count(run["found"], lang)), file=sys.stderr)
    return 0 if not run["failures_open"] else 3


def _need_dir(path: Path | None, lang: str) -> None:
    """Raise FileNotFoundError naming the data directory ``path`` when it is given but is
    not a directory (the message in ``lang``)."""
    if path is not None and not path.is_dir():
        key = "say.data_dir_not_a_dir" if path.exists() else "say.data_dir_missing"
        raise FileNotFoundError(_say(key, lang, path=path))


def _cmd_report(a: argparse.Namespace) -> int:
    from keino_metrics.report import annual, driver, impact

    _need_dir(a.data_dir, a.ui_lang)
    reports = [annual.REPORT] if a.no_impact else [annual.REPORT, impact.REPORT]
    options = {impact.REPORT.name: {"outcome": a.outcome, "programme": a.programme,
                                    "control": a.control}} if not a.no_impact else {}
    out = driver.build(reports, year=a.year, data_dir=a.data_dir, language=tuple(a.language),
                       seed=a.seed, options=options, out_dir=a.out or paths.reports_dir(),
                       progress=not a.no_progress)
    for r in reports:
        print(_say("say.report_written", a.ui_lang, report=_say(f"say.{r.name}", a.ui_lang),
                   out=out))
    return 0


def _cmd_ingest(a: argparse.Namespace) -> int:
    from keino_metrics.ingest import format_accounting, ingest

    data = ingest(a.paths, a.out, workers=a.workers, progress=not a.no_progress,
                  overwrite=a.overwrite)
    print(format_accounting(data))
    print(_say("say.tables_written", a.ui_lang, out=a.out))
    return 0


def _load(data_dir: Path | None, lang: str):
    from keino_metrics import demo
    from keino_metrics.dataset import Dataset

    if data_dir is None:
        return demo.load()
    _need_dir(data_dir, lang)
    return Dataset.from_parquet(data_dir)


def _cmd_indicators(a: argparse.Namespace) -> int:
    from keino_metrics import indicators

    if a.explain:
        print(indicators.explain(a.explain, lang=a.lang))
        return 0
    if not a.ids:
        table = indicators.catalogue(family=a.family, lang=a.lang)
        if a.format == "table" and a.out is None:
            from keino_metrics.labels import text
            from keino_metrics.terminal import unit_name, word

            cols = ["id", "name", "unit", "family", "definition"]
            table = table[cols].assign(
                unit=[unit_name(u, a.lang) for u in table["unit"]],
                family=[text(f"indicator_family.{f}", a.lang) for f in table["family"]])
            table = table.rename(columns={c: word(c, a.lang) for c in cols})
            _emit(table, a, cut=(word("definition", a.lang), word("name", a.lang)))
        else:
            _emit(table, a)
        return 0
    result = indicators.compute(a.ids, _load(a.data, a.ui_lang), by=a.by or None)
    if not result.by:
        from keino_metrics.terminal import word

        print(f"# {word('pooled', a.lang)}", file=sys.stderr if a.format != "table" else
              sys.stdout)
    if a.format == "table" and a.out is None:
        from keino_metrics.terminal import result_table, word

        table = result_table(result.to_frame(), result.by, a.lang)
        _emit(table, a, cut=(word("note", a.lang), word("indicator", a.lang)))
        return 0
    _emit(_machine_frame(result, a.lang), a)
    return 0


def _machine_frame(result, lang: str):
    """The result for csv, json and Excel: the canonical columns (codes, numbers,
    the English ``warning``), with the name, status, light and warning also in ``lang``."""
    from keino_metrics.indicators import registry
    from keino_metrics.labels import translate
    from keino_metrics.terminal import word

    frame = result.to_frame()
    frame.insert(1, "name", [registry.get(i).name(lang) for i in frame["indicator_id"]])
    frame["status_label"] = [word(s, lang) for s in frame["status"]]
    frame["light_label"] = [word(v, lang) if v else None for v in frame["light"]]
    frame["warning_label"] = [translate(v, "note", lang) if isinstance(v, str) and v else None
                              for v in frame["warning"]]
    return frame


def _emit(frame, a: argparse.Namespace, cut: tuple[str, ...] = ()) -> None:
    """Write ``frame`` to ``a.out`` (.xlsx or .csv) or print it in ``a.format``."""
    import shutil

    out = a.out
    if out is not None:
        if out.suffix == ".xlsx":
            frame.to_excel(out, index=False, engine="xlsxwriter")
        else:
            frame.to_csv(out, index=False)
        print(_say("say.file_written", a.ui_lang, out=out))
    elif a.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif a.format == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=1) + "\n")
    else:
        from keino_metrics.terminal import fit_width

        width = a.width or shutil.get_terminal_size(fallback=(100, 24)).columns
        print(fit_width(frame.astype(object).where(frame.notna(), ""), width, cut=cut))


def _cmd_demo(a: argparse.Namespace) -> int:
    from keino_metrics import demo

    out = demo.write(a.out or paths.demo_dir(), seed=a.seed, scale=a.scale)
    print(_say("say.demo_written", a.ui_lang, out=out))
    return 0


def _cmd_site(a: argparse.Namespace) -> int:
    from keino_metrics.site import build_site

    r = build_site(a.out, data_dir=a.data_dir, year=a.year, language=a.language, seed=a.seed)
    lang = a.ui_lang
    print(_say("say.site_written", lang, out=r.out, pages=_count(r.pages, lang),
               buyers=_count(r.buyers, lang), languages=" ".join(r.languages),
               load=_seconds(r.seconds_load, lang), compute=_seconds(r.seconds_compute, lang),
               render=_seconds(r.seconds_render, lang), index=r.out / "index.html"))
    return 0


_COMMANDS = {"site": _cmd_site, "report": _cmd_report, "ingest": _cmd_ingest, "indicators": _cmd_indicators,
             "demo": _cmd_demo, "fetch": _cmd_fetch}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = help_language(argv)
    args = build_parser(lang).parse_args(argv)
    args.ui_lang = lang
    try:
        return _COMMANDS[args.command](args)
    except BrokenPipeError:
        # the reader of the output went away (``| head``): stop quietly; point
        # stdout at devnull so that the interpreter's final flush does not fail
        import io
        import os

        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):  # stdout is not a file
            pass
        return 0
    except (ValueError, OSError, KeyError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        if isinstance(exc, FileNotFoundError) and exc.filename is not None:
            msg = f"{exc.strerror or 'not found'}: {exc.filename}"
        print(_say("error", lang, prog=f"keino {args.command}", message=msg), file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""The ``keino`` command line (also ``python -m keino_metrics``).

Subcommands
-----------
``keino report``
    Regenerate the annual evaluation report and, beside it, the impact report
    (papermill, HTML, figures, Excel/CSV tables and metadata under
    ``reports/<year>/``).
``keino ingest``
    Read procurement files (eForms, legacy TED XML, TED CSV, Hilma JSON, OCDS)
    into validated canonical Parquet tables and print the accounting.
``keino indicators``
    List, explain or compute indicators of the catalogue.
``keino demo``
    Write the generated demonstration corpus.

argparse from the standard library is enough for four subcommands; it keeps
the entry point free of extra dependencies.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from keino_metrics import paths

__all__ = ["main", "build_parser"]

_EPILOG = textwrap.dedent("""\
    examples:
      keino report                      annual report for the latest complete year of the demo data
      keino report --year 2022 --language en
      keino ingest data/raw/samples --out data/processed
      keino indicators --list
      keino indicators --explain SMS-01
      keino indicators --ids SMS-01 KEINO-INNOV-MKT-N --by year --data data/raw/demo
      keino demo --seed 7 --out /tmp/demo
    """)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    p = argparse.ArgumentParser(
        prog="keino",
        description="Measure the volume and impact of sustainable and innovative public "
                    "procurement.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    r = sub.add_parser(
        "report", help="regenerate the annual evaluation report",
        description="Run the parameterised report notebook with papermill and write the "
                    "executed notebook, HTML without code, figures, Excel and CSV tables and "
                    "metadata.json under OUT/<year>/. Parameters are validated before any "
                    "notebook runs.")
    r.add_argument("--year", type=int, default=None,
                   help="report year (default: the latest complete year of the data)")
    r.add_argument("--data-dir", type=Path, default=None,
                   help="directory of canonical Parquet tables (default: the generated demo "
                        "data in data/raw/demo, created when missing)")
    r.add_argument("--language", nargs="+", choices=["fi", "sv", "en"], default=["fi", "en"],
                   help="report language(s) (default: fi en)")
    r.add_argument("--seed", type=int, default=2024,
                   help="seed of the demo data and of every random step (default: 2024)")
    r.add_argument("--out", type=Path, default=None, help="output root (default: reports/)")
    r.add_argument("--no-progress", action="store_true", help="hide the progress display")
    r.add_argument("--no-impact", action="store_true",
                   help="skip the impact report (programme effects, target trajectory, "
                        "hidden volume, carbon) that is otherwise written beside the annual "
                        "report")
    r.add_argument("--outcome", default="KEINO-INNOV-MKT-N",
                   help="impact report: outcome indicator id (default: KEINO-INNOV-MKT-N)")
    r.add_argument("--programme", default="all",
                   help="impact report: 'all' or a programme name from the data")
    r.add_argument("--control", choices=["never_treated", "not_yet_treated"],
                   default="never_treated", help="impact report: comparison group")

    i = sub.add_parser(
        "ingest", help="read procurement files into validated canonical Parquet tables",
        description="Read files, folders, globs and .zip/.gz archives. The format of each "
                    "file is detected from its content. Records that cannot be used go to "
                    "the quarantine table with the file, record, field and reason; the "
                    "accounting printed at the end shows rows in = accepted + quarantined "
                    "for every input.")
    i.add_argument("paths", nargs="+", help="files, folders, globs or archives")
    i.add_argument("--out", type=Path, required=True, help="output directory for Parquet")
    i.add_argument("--workers", type=int, default=None,
                   help="worker processes (default: all cores)")
    i.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    n = sub.add_parser(
        "indicators", help="list, explain or compute indicators",
        description="Without --ids, list the catalogue. With --explain, print one "
                    "indicator's full definition. With --ids, compute them on --data and "
                    "print or write the result table (value, numerator, denominator, "
                    "coverage, 95 % interval, traffic light).")
    n.add_argument("--list", action="store_true", help="list the catalogue (the default)")
    n.add_argument("--family", default=None, help="only ids starting with this prefix, "
                                                  "e.g. SMS- or KEINO-")
    n.add_argument("--explain", metavar="ID", default=None, help="print one definition")
    n.add_argument("--ids", nargs="+", default=None, help="indicator ids, a prefix, or all")
    n.add_argument("--by", nargs="*", default=None,
                   help="breakdowns, e.g. year region_code buyer_group")
    n.add_argument("--data", type=Path, default=None,
                   help="directory of canonical Parquet tables (default: demo data)")
    n.add_argument("--lang", choices=["fi", "sv", "en"], default="en", help="label language")
    n.add_argument("--out", type=Path, default=None, help="write the table (.csv or .xlsx)")

    d = sub.add_parser(
        "demo", help="write the generated demonstration corpus",
        description="Generate the seeded, documented demonstration corpus (2018-2025, every "
                    "Finnish municipality and region) and write it as canonical Parquet "
                    "tables. It is not real procurement data.")
    d.add_argument("--out", type=Path, default=None, help="default: data/raw/demo")
    d.add_argument("--seed", type=int, default=2024, help="random seed (default: 2024)")
    d.add_argument("--scale", type=float, default=1.0,
                   help="size relative to the national default (default: 1.0)")
    return p


def _cmd_report(a: argparse.Namespace) -> int:
    from keino_metrics.report import annual, driver, impact

    reports = [annual.REPORT] if a.no_impact else [annual.REPORT, impact.REPORT]
    options = {impact.REPORT.name: {"outcome": a.outcome, "programme": a.programme,
                                    "control": a.control}} if not a.no_impact else {}
    out = driver.build(reports, year=a.year, data_dir=a.data_dir, language=tuple(a.language),
                       seed=a.seed, options=options, out_dir=a.out or paths.reports_dir(),
                       progress=not a.no_progress)
    for r in reports:
        print(f"{r.name.replace('_', ' ')} written to {out}")
    return 0


def _cmd_ingest(a: argparse.Namespace) -> int:
    from keino_metrics.ingest import format_accounting, ingest

    data = ingest(a.paths, a.out, workers=a.workers, progress=not a.no_progress)
    print(format_accounting(data))
    print(f"tables written to {a.out}")
    return 0


def _load(data_dir: Path | None):
    from keino_metrics import demo
    from keino_metrics.dataset import Dataset

    if data_dir is None:
        return demo.load()
    return Dataset.from_parquet(data_dir)


def _cmd_indicators(a: argparse.Namespace) -> int:
    from keino_metrics import indicators

    if a.explain:
        print(indicators.explain(a.explain, lang=a.lang))
        return 0
    if not a.ids:
        table = indicators.catalogue(family=a.family, lang=a.lang)
        _emit(table, a.out)
        return 0
    result = indicators.compute(a.ids, _load(a.data), by=a.by or None)
    _emit(result.to_frame(), a.out)
    return 0


def _emit(frame, out: Path | None) -> None:
    if out is None:
        import pandas as pd

        with pd.option_context("display.max_rows", 500, "display.width", 200,
                               "display.max_colwidth", 60):
            print(frame.to_string(index=False))
    elif out.suffix == ".xlsx":
        frame.to_excel(out, index=False, engine="xlsxwriter")
        print(f"written {out}")
    else:
        frame.to_csv(out, index=False)
        print(f"written {out}")


def _cmd_demo(a: argparse.Namespace) -> int:
    from keino_metrics import demo

    out = demo.write(a.out or paths.demo_dir(), seed=a.seed, scale=a.scale)
    print(f"demonstration data (generated, not real) written to {out}")
    return 0


_COMMANDS = {"report": _cmd_report, "ingest": _cmd_ingest, "indicators": _cmd_indicators,
             "demo": _cmd_demo}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except (ValueError, FileNotFoundError, KeyError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"keino {args.command}: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

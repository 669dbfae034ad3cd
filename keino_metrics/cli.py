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

argparse from the standard library is enough for six subcommands; it keeps
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
      keino site --out site/ --language fi sv en
      keino fetch ted --country FIN --from 2023-01-01 --to 2024-12-31 --out data/raw/ted
      HILMA_API_KEY=... keino fetch hilma --from 2024-01-01 --to 2024-12-31 --out data/raw/hilma
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
    i.add_argument("--out", type=Path, required=True,
                   help="output directory for Parquet; must be missing or empty unless "
                        "--overwrite (written into a temporary sibling folder and renamed "
                        "into place when complete)")
    i.add_argument("--overwrite", action="store_true",
                   help="replace an existing, non-empty --out folder whole")
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
                   help="breakdowns, e.g. year region_code buyer_group (without --by, every "
                        "year, region and buyer is pooled into one figure, and the output "
                        "says so)")
    n.add_argument("--data", type=Path, default=None,
                   help="directory of canonical Parquet tables (default: demo data)")
    n.add_argument("--lang", choices=["fi", "sv", "en"], default="en", help="label language")
    n.add_argument("--format", choices=["table", "csv", "json"], default="table",
                   help="table (fitted to the terminal width, long text cut with an "
                        "ellipsis; the default), csv or json on standard output")
    n.add_argument("--width", type=int, default=None,
                   help="line width of the table (default: the terminal's)")
    n.add_argument("--out", type=Path, default=None, help="write the table (.csv or .xlsx)")

    s = sub.add_parser(
        "site", help="build the static website (a page per region, buyer group, buyer and "
                     "indicator)",
        description="Compute the indicators once by buyer, buyer group, region and year "
                    "and write a static site that works from file:// or any static host.")
    s.add_argument("--data-dir", type=Path, default=None,
                   help="canonical tables or raw files (default: the generated demo data)")
    s.add_argument("--year", type=int, default=None,
                   help="profile year (default: the latest complete year of the data)")
    s.add_argument("--out", type=Path, default=Path("site"), help="site folder (default: site/)")
    s.add_argument("--language", nargs="+", default=["fi", "sv", "en"],
                   choices=["fi", "sv", "en"], help="languages (default: fi sv en)")
    s.add_argument("--seed", type=int, default=2024, help="seed of the demo data")

    d = sub.add_parser(
        "demo", help="write the generated demonstration corpus",
        description="Generate the seeded, documented demonstration corpus (2018-2025, every "
                    "Finnish municipality and region) and write it as canonical Parquet "
                    "tables. It is not real procurement data.")
    d.add_argument("--out", type=Path, default=None, help="default: data/raw/demo")
    d.add_argument("--seed", type=int, default=2024, help="random seed (default: 2024)")
    d.add_argument("--scale", type=float, default=1.0,
                   help="size relative to the national default (default: 1.0)")

    f = sub.add_parser(
        "fetch", help="download real notices from TED or Hilma",
        description="Download real notices into a folder that keino ingest reads as it is. "
                    "Files are stored exactly as the service sent them, each recorded with "
                    "its SHA-256 and source URL in DIR/.fetch/manifest.json; files already "
                    "stored are not fetched again, so an interrupted run resumes. See "
                    "docs/fetch.md.")
    fsub = f.add_subparsers(dest="source", metavar="SOURCE", required=True)
    ft = fsub.add_parser(
        "ted", help="notices published on TED (above the EU thresholds)",
        description="Search TED (Search API v3, anonymous) for notices of buyers in a "
                    "country published in a date range, then download each notice's XML "
                    "(or, with --bulk, take them from TED's daily packages).")
    ft.add_argument("--country", default="FIN",
                    help="buyer country, ISO 3166 alpha-3 (default: FIN)")
    ft.add_argument("--bulk", action="store_true",
                    help="take the notices from TED's daily packages (one download per "
                         "Official Journal issue) instead of one request per notice")
    ft.add_argument("--api-url", default=None,
                    help="one base URL for every TED path (default: $KEINO_TED_API_URL or "
                         "TED's own hosts)")
    ft.add_argument("--search-path", default="/v3/notices/search",
                    help="path of the search operation (default: /v3/notices/search)")
    fh = fsub.add_parser(
        "hilma", help="notices with national statistics answers from Hilma",
        description="Search Hilma's AVP index for notices published in a date range, then "
                    "download each eForms notice with its national statistics answers. The "
                    "subscription key is read from the environment variable HILMA_API_KEY "
                    "(product avp-read at https://hns-hilma-prod-apim.developer.azure-api.net).")
    fh.add_argument("--api-url", default=None,
                    help="base URL (default: $KEINO_HILMA_API_URL or Hilma's own host)")
    for q in (ft, fh):
        q.add_argument("--from", dest="start", type=_date, required=True,
                       help="first publication date, YYYY-MM-DD")
        q.add_argument("--to", dest="end", type=_date, required=True,
                       help="last publication date, YYYY-MM-DD (inclusive)")
        q.add_argument("--out", type=Path, required=True,
                       help="fetch folder, by convention data/raw/<source>")
        q.add_argument("--since-last", action="store_true",
                       help="start at the latest publication date already in the folder's "
                            "manifest")
        q.add_argument("--rate", type=float, default=None,
                       help="requests per second at most (default: 1.2 for TED, 2 for Hilma)")
        q.add_argument("--concurrency", type=int, default=None,
                       help="requests in flight at most (default: 3 for TED, 2 for Hilma)")
        q.add_argument("--attempts", type=int, default=None,
                       help="tries per request before it counts as failed (default: 6)")
        q.add_argument("--backoff", type=float, default=None,
                       help="first retry wait in seconds, doubled each try (default: 1)")
        q.add_argument("--retry-after-max", type=float, default=None,
                       help="longest Retry-After honoured, seconds (default: 300)")
        q.add_argument("--timeout", type=float, default=None,
                       help="seconds to wait for a connection or data (default: 60)")
        q.add_argument("--page-size", type=int, default=None,
                       help="search results per page (default: 250 for TED, 1000 for Hilma)")
        q.add_argument("--no-progress", action="store_true", help="hide the progress lines")
    return p


def _date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


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
        print(f"keino fetch {a.source}: error: {exc}", file=sys.stderr)
        return 1
    total = run.get("total")
    print(f"{a.source} {run['from']}..{run['to']}: the service reports "
          f"{total if total is not None else 'no'} total; found {run['found']:,}, "
          f"downloaded {run['downloaded']:,}, skipped (already stored) {run['skipped']:,}, "
          f"failed {run['failed']:,}; {run['files_stored']:,} files in {a.out} "
          f"({run['seconds']} s, {run.get('retries', 0)} retries)")
    if run["failures_open"]:
        print(f"{run['failures_open']:,} notices could not be fetched; they are listed with "
              f"the reason under 'failures' in {a.out / '.fetch' / 'manifest.json'} and are "
              "tried again by the next run", file=sys.stderr)
    if total is not None and total != run["found"]:
        print(f"note: the service's total ({total:,}) differs from the notices listed "
              f"({run['found']:,})", file=sys.stderr)
    return 0 if not run["failures_open"] else 3


def _need_dir(path: Path | None, what: str) -> None:
    """Raise FileNotFoundError naming ``path`` when it is given but is not a directory."""
    if path is not None and not path.is_dir():
        state = "is not a directory" if path.exists() else "does not exist"
        raise FileNotFoundError(f"{what} {path} {state}")


def _cmd_report(a: argparse.Namespace) -> int:
    from keino_metrics.report import annual, driver, impact

    _need_dir(a.data_dir, "data directory")
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

    data = ingest(a.paths, a.out, workers=a.workers, progress=not a.no_progress,
                  overwrite=a.overwrite)
    print(format_accounting(data))
    print(f"tables written to {a.out}")
    return 0


def _load(data_dir: Path | None):
    from keino_metrics import demo
    from keino_metrics.dataset import Dataset

    if data_dir is None:
        return demo.load()
    _need_dir(data_dir, "data directory")
    return Dataset.from_parquet(data_dir)


def _cmd_indicators(a: argparse.Namespace) -> int:
    from keino_metrics import indicators

    if a.explain:
        print(indicators.explain(a.explain, lang=a.lang))
        return 0
    if not a.ids:
        table = indicators.catalogue(family=a.family, lang=a.lang)
        if a.format == "table" and a.out is None:
            from keino_metrics.terminal import UNIT_NAMES, word

            # families and definitions exist in English only
            cols = ["id", "name", "unit"] + (["family", "definition"] if a.lang == "en" else [])
            table = table[cols].assign(unit=table["unit"].map(UNIT_NAMES[a.lang]))
            table = table.rename(columns={c: word(c, a.lang) for c in cols})
            _emit(table, a, cut=(word("definition", a.lang), word("name", a.lang)))
        else:
            _emit(table, a)
        return 0
    result = indicators.compute(a.ids, _load(a.data), by=a.by or None)
    if not result.by:
        from keino_metrics.terminal import word

        print(f"# {word('pooled', a.lang)}", file=sys.stderr if a.format != "table" else
              sys.stdout)
    if a.format == "table" and a.out is None:
        from keino_metrics.terminal import result_table, word

        table = result_table(result.to_frame(), result.by, a.lang)
        if a.lang != "en":  # the notes exist in English only: not mixed into the table
            table = table.drop(columns=[word("note", a.lang)])
        _emit(table, a, cut=(word("note", a.lang), word("indicator", a.lang)))
        if a.lang != "en" and result.frame["warning"].notna().any():
            print(word("notes_elsewhere", a.lang))
        return 0
    _emit(_machine_frame(result, a.lang), a)
    return 0


def _machine_frame(result, lang: str):
    """The result for csv, json and Excel: the canonical columns (codes, numbers),
    with the name, unit, light and status also in ``lang``."""
    from keino_metrics.indicators import registry
    from keino_metrics.terminal import word

    frame = result.to_frame()
    frame.insert(1, "name", [registry.get(i).name(lang) for i in frame["indicator_id"]])
    frame["status_label"] = [word(s, lang) for s in frame["status"]]
    frame["light_label"] = [word(v, lang) if v else None for v in frame["light"]]
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
        print(f"written {out}")
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
    print(f"demonstration data (generated, not real) written to {out}")
    return 0


def _cmd_site(a: argparse.Namespace) -> int:
    from keino_metrics.site import build_site

    r = build_site(a.out, data_dir=a.data_dir, year=a.year, language=a.language, seed=a.seed)
    print(f"site written to {r.out}: {r.pages} pages, {r.buyers} buyers, languages "
          f"{' '.join(r.languages)} (load {r.seconds_load:.1f} s, compute "
          f"{r.seconds_compute:.1f} s, render {r.seconds_render:.1f} s); open "
          f"{r.out / 'index.html'}")
    return 0


_COMMANDS = {"site": _cmd_site, "report": _cmd_report, "ingest": _cmd_ingest, "indicators": _cmd_indicators,
             "demo": _cmd_demo, "fetch": _cmd_fetch}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
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
        print(f"keino {args.command}: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

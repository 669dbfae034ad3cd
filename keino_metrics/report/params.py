"""Validation of the annual report's parameters.

Papermill injects parameters into a notebook as Python source, so a value
must be checked *before* it reaches papermill: a string such as
``"2025; import os"`` must be refused, not executed. :func:`validate` checks
types strictly (no conversion of strings to numbers), checks values against
their allowed ranges and returns an immutable :class:`ReportParams`. The
report notebook calls the same function again on the values it received.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from keino_metrics import paths
from keino_metrics.labels import LANGUAGES

__all__ = ["YEAR_RANGE", "DEFAULT_DATA_DIR", "FILE_KEYS", "ReportParams", "validate",
           "check_year_in_data", "resolve_data_dir", "is_default_data_dir", "read_file"]

#: Inclusive bounds of an acceptable report year.
YEAR_RANGE: tuple[int, int] = (2018, 2100)

#: The default data directory, relative to the project root.
DEFAULT_DATA_DIR = "data/raw/demo"

#: Keys allowed in a parameter file (``params/<year>.yaml``).
FILE_KEYS: tuple[str, ...] = ("year", "data_dir", "language", "seed")


@dataclass(frozen=True)
class ReportParams:
    """Validated parameters of one report run.

    Attributes
    ----------
    year : int
        Report year.
    data_dir : pathlib.Path
        Absolute path of the data directory.
    language : str
        ``fi``, ``en`` or ``sv``.
    seed : int
        Random seed for anything random (the demo data).
    """

    year: int
    data_dir: Path
    language: str
    seed: int

    @property
    def demo_default(self) -> bool:
        """Whether the data directory is the default demonstration directory."""
        return is_default_data_dir(self.data_dir)

    def to_dict(self) -> dict[str, object]:
        """Plain values, with ``data_dir`` as text, for papermill and JSON."""
        d = asdict(self)
        d["data_dir"] = str(self.data_dir)
        return d


def _fail(name: str, value: object, allowed: str) -> ValueError:
    return ValueError(f"report parameter {name!r}: got {value!r} ({type(value).__name__}); "
                      f"allowed: {allowed}")


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def resolve_data_dir(data_dir: str | os.PathLike[str] | None) -> Path:
    """Absolute path of ``data_dir``; relative paths are taken from the project root."""
    if data_dir is None:
        data_dir = DEFAULT_DATA_DIR
    p = Path(data_dir).expanduser()
    return p if p.is_absolute() else (paths.project_root() / p)


def is_default_data_dir(data_dir: str | os.PathLike[str] | None) -> bool:
    """Whether ``data_dir`` is the default demonstration directory."""
    return resolve_data_dir(data_dir).resolve() == paths.demo_dir().resolve()


def validate(year: object = None, data_dir: object = None, language: object = "fi",
             seed: object = 2024, *,
             available_years: Iterable[int] | None = None) -> ReportParams:
    """Check report parameters and return them as :class:`ReportParams`.

    Parameters
    ----------
    year : int
        Report year, an integer within :data:`YEAR_RANGE` (and within
        ``available_years`` when given). Strings are refused even when they
        look like numbers.
    data_dir : str or os.PathLike or None
        Existing directory with the data, or ``None``/the default
        ``data/raw/demo`` (which need not exist yet: the demo generator
        writes it). Relative paths are taken from the project root.
    language : str
        One of ``fi``, ``en``, ``sv``.
    seed : int
        Integer >= 0.
    available_years : iterable of int, optional
        Years present in the data; ``year`` must be one of them.

    Returns
    -------
    ReportParams

    Raises
    ------
    ValueError
        Naming the parameter, the value received and the allowed values.
    """
    lo, hi = YEAR_RANGE
    if not _is_int(year) or not lo <= int(year) <= hi:  # type: ignore[call-overload]
        raise _fail("year", year, f"an integer from {lo} to {hi}")
    year = int(year)  # type: ignore[call-overload]
    if available_years is not None:
        check_year_in_data(year, available_years)

    if language not in LANGUAGES or not isinstance(language, str):
        raise _fail("language", language, ", ".join(repr(x) for x in LANGUAGES))

    if not _is_int(seed) or int(seed) < 0:  # type: ignore[call-overload]
        raise _fail("seed", seed, "an integer >= 0")

    if data_dir is not None and not isinstance(data_dir, str | os.PathLike):
        raise _fail("data_dir", data_dir, "a path to an existing directory, or None for "
                    f"the default {DEFAULT_DATA_DIR}")
    if data_dir is not None and any(ord(ch) < 32 for ch in os.fspath(data_dir)):
        raise _fail("data_dir", data_dir, "a path without control characters")
    resolved = resolve_data_dir(data_dir)  # type: ignore[arg-type]
    if not resolved.is_dir() and not is_default_data_dir(resolved):
        raise _fail("data_dir", data_dir, f"an existing directory ({resolved} is not one), "
                    f"or None for the default {DEFAULT_DATA_DIR}")
    return ReportParams(year=year, data_dir=resolved, language=str(language),
                        seed=int(seed))  # type: ignore[call-overload]


def check_year_in_data(year: int, available_years: Iterable[int]) -> None:
    """Raise ``ValueError`` unless ``year`` is one of ``available_years``."""
    years = sorted({int(y) for y in available_years})
    if year not in years:
        span = f"{years[0]}-{years[-1]}" if years else "none"
        raise ValueError(f"report parameter 'year': got {year!r}; the data hold years {span} "
                         f"({', '.join(map(str, years)) or 'no dated notices'})")


def read_file(path: str | os.PathLike[str]) -> dict[str, object]:
    """Read a YAML parameter file (``params/<year>.yaml``) into arguments of the driver's ``build``.

    The file is a mapping with some of ``year``, ``data_dir``, ``language`` (a
    code or a list of codes) and ``seed``. Values are checked with
    :func:`validate`; unknown keys are refused.

    Examples
    --------
    >>> from keino_metrics.report import REPORTS, build
    >>> build(REPORTS, **read_file("params/2025.yaml"))  # doctest: +SKIP

    Raises
    ------
    ValueError
        For unknown keys or bad values, naming the file.
    """
    import yaml

    p = Path(path)
    raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{p}: a parameter file must be a mapping of {', '.join(FILE_KEYS)}")
    unknown = sorted(set(map(str, raw)) - set(FILE_KEYS))
    if unknown:
        raise ValueError(f"{p}: unknown parameter(s) {', '.join(unknown)}; "
                         f"allowed: {', '.join(FILE_KEYS)}")
    langs = raw.get("language", ["fi", "en"])
    langs = [langs] if isinstance(langs, str) else langs
    if not isinstance(langs, list) or not langs:
        raise ValueError(f"{p}: report parameter 'language': got {langs!r}; allowed: a code or "
                         f"a list of codes from {', '.join(LANGUAGES)}")
    try:
        for lang in langs:
            validate(raw.get("year", YEAR_RANGE[0]), raw.get("data_dir"), lang,
                     raw.get("seed", 2024))
    except ValueError as exc:
        raise ValueError(f"{p}: {exc}") from None
    out: dict[str, object] = {k: raw[k] for k in ("year", "data_dir", "seed") if k in raw}
    out["language"] = tuple(langs)
    return out

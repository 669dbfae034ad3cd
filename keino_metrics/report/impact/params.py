"""Parameters of the impact report and their checks.

:func:`validate_impact_params` checks every parameter strictly before papermill
runs (and again inside the notebook); the shared year, data-directory, language
and seed checks are those of :func:`keino_metrics.report.params.validate`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from keino_metrics.dataset import Dataset
from keino_metrics.labels import LANGUAGES
from keino_metrics.report import catalogue, params
from keino_metrics.report.coverage import data_years

__all__ = ["NOTEBOOK", "CONTROLS", "ALL_PROGRAMMES", "DEFAULT_OUTCOME", "TARGET_YEAR",
           "TARGET_FAMILY", "DEMO_TRUTH", "N_BOOT", "N_BOOT_ROBUST", "HIDDEN_SAMPLE",
           "HIDDEN_AUDIT", "N_SIMS", "MIN_COVERAGE", "ImpactParams",
           "allowed_outcomes", "data_programmes", "validate_impact_params", "check"]

NOTEBOOK = Path("notebooks") / "reports" / "impact_report.ipynb"
#: Comparison groups of the staggered difference-in-differences.
CONTROLS: tuple[str, ...] = ("never_treated", "not_yet_treated")
#: ``programme`` value for participation in any programme.
ALL_PROGRAMMES = "all"
#: Default outcome indicator.
DEFAULT_OUTCOME = "KEINO-INNOV-MKT-N"
#: Year by which the 10 % innovative-procurement target should be reached.
TARGET_YEAR = 2030
#: Catalogue family of the candidate definitions of the 10 % target.
TARGET_FAMILY = catalogue.TARGET_FAMILY
#: Demo outcome whose known true effect applies to an outcome indicator.
DEMO_TRUTH: Mapping[str, str] = MappingProxyType(
    {"KEINO-INNOV-MKT-N": "innovative", "FI-10PCT-MKT-N": "innovative",
     "KEINO-GREEN-N": "green"})
#: Bootstrap draws of the main estimate and of the robustness variants.
N_BOOT, N_BOOT_ROBUST = 499, 199
#: Lots drawn (seeded) from the report year for the hidden-volume classifier.
HIDDEN_SAMPLE = 1000
#: Lots whose true label an audit reveals (simulated on demonstration data).
HIDDEN_AUDIT = 2000
#: Monte Carlo draws of the target forecasts and the carbon intervals.
N_SIMS = 4000
#: Years whose field coverage is below this share of the definition's best year are
#: left out of the target trend (years before the definition's fields were in use).
MIN_COVERAGE = 0.50
_MAX_TEXT = 200


def _fail(name: str, value: object, allowed: str) -> ValueError:
    shown = value if not isinstance(value, str) or len(value) <= _MAX_TEXT else (
        value[:_MAX_TEXT] + "...")
    return ValueError(f"impact report parameter {name!r}: got {shown!r} "
                      f"({type(value).__name__}); allowed: {allowed}")


@cache
def allowed_outcomes() -> tuple[str, ...]:
    """Catalogue ids usable as the outcome: shares of lot results, sorted."""
    from keino_metrics.indicators import catalogue

    cat = catalogue()
    ok = cat[(cat["unit"] == "share") & (cat["unit_of_analysis"] == "lot result")
             & ~cat["id"].astype(str).str.startswith("DQ-")]
    return tuple(sorted(ok["id"].astype(str)))


def data_programmes(data: Dataset) -> tuple[str, ...]:
    """Programmes named in ``data.programme_participation``, sorted."""
    pp = data.programme_participation
    if pp is None or pp.empty:
        return ()
    return tuple(sorted({str(p) for p in pp["programme"].dropna()}))


@dataclass(frozen=True)
class ImpactParams:
    """Validated parameters of one impact-report run.

    Attributes
    ----------
    year : int
        Report year (last year of the panel).
    data_dir : pathlib.Path
        Absolute data directory.
    language : str
        ``fi``, ``en`` or ``sv``.
    seed : int
        Seed of the demo data, the bootstrap and every simulation.
    outcome : str
        Outcome indicator id (catalogue).
    programme : str
        ``"all"`` or a programme of ``programme_participation``.
    control : str
        ``never_treated`` or ``not_yet_treated``.
    """

    year: int
    data_dir: Path
    language: str
    seed: int
    outcome: str
    programme: str
    control: str

    def to_dict(self) -> dict[str, object]:
        """Plain values, ``data_dir`` as text, for papermill and JSON."""
        d = asdict(self)
        d["data_dir"] = str(self.data_dir)
        return d


def _check_text(name: str, value: object, allowed: str) -> str:
    if not isinstance(value, str):
        raise _fail(name, value, allowed)
    if not value or len(value) > _MAX_TEXT or any(ord(ch) < 32 for ch in value):
        raise _fail(name, value, allowed)
    return value


def validate_impact_params(year: object = None, data_dir: object = None,
                           language: object = "fi", seed: object = 2024,
                           outcome: object = DEFAULT_OUTCOME,
                           programme: object = ALL_PROGRAMMES,
                           control: object = "never_treated", *,
                           available_years: Iterable[int] | None = None,
                           programmes: Iterable[str] | None = None) -> ImpactParams:
    """Check impact-report parameters and return them as :class:`ImpactParams`.

    Types are checked strictly (no string is converted to a number) and every
    value against its allowed values, so a value such as ``"2025; import os"``
    is refused before it could reach papermill's generated code.

    Parameters
    ----------
    year : int
        Report year within :data:`keino_metrics.report.params.YEAR_RANGE` (and in
        ``available_years`` when given).
    data_dir : str or os.PathLike or None
        Data directory, or ``None``/``data/raw/demo`` for the demo corpus.
    language : str
        ``fi``, ``en`` or ``sv``.
    seed : int
        Integer >= 0.
    outcome : str
        A catalogue id from :func:`allowed_outcomes`.
    programme : str
        ``"all"``, or a programme of the data (checked against ``programmes``
        when given).
    control : str
        ``never_treated`` or ``not_yet_treated``.
    available_years : iterable of int, optional
        Years present in the data.
    programmes : iterable of str, optional
        Programmes present in the data.

    Returns
    -------
    ImpactParams

    Raises
    ------
    ValueError
        Naming the parameter, the value received and the allowed values.
    """
    if not isinstance(language, str) or language not in LANGUAGES:
        raise _fail("language", language, ", ".join(repr(x) for x in LANGUAGES))
    outcomes = allowed_outcomes()
    if not isinstance(outcome, str) or outcome not in outcomes:
        raise _fail("outcome", outcome, "an indicator id of the catalogue measuring a share "
                    f"of lot results: {', '.join(outcomes)}")
    if not isinstance(control, str) or control not in CONTROLS:
        raise _fail("control", control, ", ".join(repr(x) for x in CONTROLS))
    known = None if programmes is None else tuple(sorted(set(programmes)))
    allowed_prog = (f"{ALL_PROGRAMMES!r} or a programme of the data"
                    + ("" if known is None else ": " + ", ".join(repr(p) for p in known)))
    prog = _check_text("programme", programme, allowed_prog)
    if known is not None and prog != ALL_PROGRAMMES and prog not in known:
        raise _fail("programme", programme, allowed_prog)
    try:
        base = params.validate(year, data_dir, "fi", seed, available_years=available_years)
    except ValueError as exc:
        raise ValueError(str(exc).replace("report parameter", "impact report parameter",
                                          1)) from None
    return ImpactParams(year=base.year, data_dir=base.data_dir, language=language,
                        seed=base.seed, outcome=outcome, programme=prog, control=control)




def check(year: object, data_dir: object, language: object, seed: object,
          options: Mapping[str, object], data: Dataset | None = None) -> ImpactParams:
    """Validated impact-report parameters; ``options`` holds outcome, programme, control.

    With ``data`` the year and the programme are checked against the data too.

    Raises
    ------
    ValueError
        Naming the parameter, the value received and the allowed values.
    """
    unknown = sorted(set(options) - {"outcome", "programme", "control"})
    if unknown:
        raise ValueError(f"impact report parameter(s) {', '.join(map(repr, unknown))}: no "
                         "such parameter; allowed: 'outcome', 'programme', 'control'")
    return validate_impact_params(
        year, data_dir, language, seed, options.get("outcome", DEFAULT_OUTCOME),
        options.get("programme", ALL_PROGRAMMES), options.get("control", "never_treated"),
        available_years=None if data is None else data_years(data),
        programmes=None if data is None else data_programmes(data))

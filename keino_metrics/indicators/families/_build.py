"""Small builders shared by the family modules (expressions, rules, sources)."""

from __future__ import annotations

from functools import reduce

import narwhals.stable.v2 as nw

from keino_metrics.indicators.spec import Rule

L = nw.col

#: Citation of this library's own definitions.
OWN = ("keino-metrics definition (no official formula exists), documented in "
       "docs/indicators.md")
SMS_SOURCE = ("European Commission, Single Market Scoreboard, public procurement "
              "(reporting year 2024; thresholds from the 2015 edition)")
HILMA_SOURCE = ("Hilma statistics questions (Hankintailmoitukset/hilma-api, "
                "endpoints/hilmastatistics.md), mandatory on result notices since 2022")
EFORMS_SOURCE = "eForms SDK 1.16 fields and code lists (OP-TED/eForms-SDK)"
CARDINAL = "Open Contracting Partnership red flags, cardinal-rs docs/cli/indicators/R"
OPENTENDER = "Opentender.eu / DIGIWHIST indicator definitions (TenderIndicatorType)"


def true(col: str) -> nw.Expr:
    """The flag ``col`` with not-reported read as false."""
    return L(col).fill_null(False)


def known(col: str) -> nw.Expr:
    """``col`` is reported."""
    return ~L(col).is_null()


def any_of(exprs) -> nw.Expr:
    """Logical or of expressions."""
    return reduce(lambda a, b: a | b, list(exprs))


def reported(col: str, reason: str | None = None) -> Rule:
    """Rule: the field ``col`` is reported (missing data)."""
    return Rule(reason or f"{col} not reported", lambda p, c=col: known(c))


def scope(reason: str, keep) -> Rule:
    """Rule that narrows the scope on purpose (does not lower coverage)."""
    return Rule(reason, keep, missing=False)


def need(reason: str, keep) -> Rule:
    """Rule about missing data given as an expression builder."""
    return Rule(reason, keep, missing=True)


COMPETITIVE = ("open", "restricted", "neg-w-call", "comp-dial", "innovation")
SME_SIZES = ("micro", "small", "medium", "sme")

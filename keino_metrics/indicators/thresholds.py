"""Targets and traffic-light thresholds: defaults, overrides and the colour rule.

Defaults live in ``keino_metrics/data/indicators/thresholds.yaml`` with their
sources; a user file with the same layout (or a mapping) overrides them key by
key for the indicators it names.
"""

from __future__ import annotations

import copy
import operator
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

__all__ = ["default_thresholds", "resolve_thresholds", "light", "parse_condition"]

_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}
_KEYS = {"target", "green", "red", "source", "params"}


@cache
def _defaults() -> dict[str, dict[str, Any]]:
    path = resources.files("keino_metrics") / "data" / "indicators" / "thresholds.yaml"
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def default_thresholds() -> dict[str, dict[str, Any]]:
    """The default targets, thresholds and parameters by indicator id."""
    return copy.deepcopy(_defaults())


def parse_condition(text: str | None) -> tuple[str, float] | None:
    """Parse ``"<= 0.10"`` into ``("<=", 0.1)``; ``None`` stays ``None``.

    Raises
    ------
    ValueError
        If the text is not an operator followed by a number.
    """
    if text is None:
        return None
    s = str(text).strip()
    for op in ("<=", ">=", "<", ">"):
        if s.startswith(op):
            try:
                return op, float(s[len(op):])
            except ValueError:
                break
    raise ValueError(f"threshold {text!r}: expected an operator (<, <=, >, >=) and a number")


def resolve_thresholds(overrides: str | Path | Mapping[str, Any] | None,
                       known_ids: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """Merge ``overrides`` (a YAML path or a mapping) into the defaults.

    Raises
    ------
    ValueError
        For an unknown indicator id or key, or an unparsable condition, naming
        the file and the entry.
    """
    out = default_thresholds()
    if overrides is None:
        return out
    where = "thresholds mapping"
    if isinstance(overrides, (str, Path)):
        where = str(overrides)
        with open(overrides, encoding="utf-8") as fh:
            overrides = yaml.safe_load(fh) or {}
    if not isinstance(overrides, Mapping):
        raise ValueError(f"{where}: expected a mapping of indicator id -> settings")
    for iid, spec in overrides.items():
        if known_ids is not None and iid not in known_ids:
            raise ValueError(f"{where}: unknown indicator id {iid!r}")
        if not isinstance(spec, Mapping):
            raise ValueError(f"{where}, {iid}: expected a mapping with target/green/red")
        bad = set(spec) - _KEYS
        if bad:
            raise ValueError(f"{where}, {iid}: unknown key(s) {sorted(bad)}; use {sorted(_KEYS)}")
        for key in ("green", "red"):
            if key in spec:
                try:
                    parse_condition(spec[key])
                except ValueError as e:
                    raise ValueError(f"{where}, {iid}, {key}: {e}") from None
        merged = dict(out.get(iid, {}))
        params = dict(merged.get("params", {}))
        params.update(spec.get("params", {}) or {})
        merged.update({k: v for k, v in spec.items() if k != "params"})
        merged["params"] = params
        if "source" not in spec:
            merged["source"] = f"{where} (user override)"
        out[iid] = merged
    return out


def light(value: float, green: str | None, red: str | None) -> str | None:
    """Traffic light of ``value``: green, red, yellow in between, None without rules."""
    if green is None and red is None:
        return None
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    g, r = parse_condition(green), parse_condition(red)
    if g is not None and _OPS[g[0]](value, g[1]):
        return "green"
    if r is not None and _OPS[r[0]](value, r[1]):
        return "red"
    return "yellow"

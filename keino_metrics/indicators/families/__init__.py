"""Indicator families; :data:`ALL` lists every record in catalogue order."""

from __future__ import annotations

from keino_metrics.indicators.families.capability import CAPABILITY
from keino_metrics.indicators.families.eforms import EFORMS
from keino_metrics.indicators.families.integrity import INTEGRITY
from keino_metrics.indicators.families.markets import MARKETS
from keino_metrics.indicators.families.quality import QUALITY
from keino_metrics.indicators.families.scoreboard import SCOREBOARD
from keino_metrics.indicators.families.spend import SPEND
from keino_metrics.indicators.families.strategic import STRATEGIC, TEN_PERCENT
from keino_metrics.indicators.families.volume import VOLUME

ALL = [*VOLUME, *STRATEGIC, *TEN_PERCENT, *EFORMS, *MARKETS, *SCOREBOARD, *INTEGRITY,
       *CAPABILITY, *QUALITY, *SPEND]

__all__ = ["ALL"]

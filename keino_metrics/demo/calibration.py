"""Published figures the demonstration corpus is calibrated to, with their sources.

Every constant below is either a published figure (its source is given next to
it, tagged ``[published]``) or a modelling assumption of the demonstration
generator (tagged ``[assumption]``). ``docs/demo-data.md`` lists them all.

Sources
-------
FI-NOTICES
    Hilma notice volume: 19 076 notices in 2021, about 10 % more than in 2020;
    services 50 %, supplies 27 %, works 23 % (hankinnat.fi / Hansel), as
    catalogued in the project's indicator reference, section 3.3.
FI-VOL
    Finnish public procurement volume in 2018: EUR 47 bn in all, EUR 31 bn
    bought from competitive markets, EUR 15 bn of it above the EU thresholds
    (VTT/PTT/Owal/PTCS study for the Government's analysis, assessment and
    research activities, VN TEAS, 9.6.2021). Municipalities about 2/3, the
    state about 1/3 (Ministry of Economic Affairs and Employment).
FI-INNOV-MKT, FI-INNOV-BUY
    KEINO survey 2020 ("Innovatiivisuus julkisissa hankinnoissa Suomessa",
    hankintakeino.fi): 5 % of procurements acquired a solution new to the
    market, 45 % a solution new to the buyer.
FI-SME-CONS
    Hilma ``smeParticipationConsidered``: 80.9 % of notices in 2022, 83 % in
    2023 year-to-date (tutkihallintoa.fi, "Hankintastrategian seuranta").
FI-ENV-2017
    SYKE 2017 municipal survey and document analysis: 66 % of calls for
    tender had an environmental or energy aspect at least in general terms,
    44 % at least one clearly defined environmental criterion, 15 % a
    life-cycle based criterion.
SMS-2024
    EU Single Market Scoreboard, reporting year 2024, "EU average" values:
    single bidder 28 %, award to the cheapest bid 54 %, SME bids 72 %, SME
    contractors 71 %.
"""

from __future__ import annotations

# --------------------------------------------------------------------------
# Notice volume and mix (FI-NOTICES)
# --------------------------------------------------------------------------

#: [published] Hilma notices published in 2021 (FI-NOTICES).
NOTICES_2021: int = 19_076

#: [published] growth 2020 -> 2021, "+~10 %" (FI-NOTICES).
GROWTH_2020_2021: float = 0.10

#: [assumption] Notices per year relative to 2021. 2020 follows from the
#: published growth; the other years are an assumption (gentle growth up to
#: 2021, then a plateau, a dip in 2023 around the eForms switch).
NOTICE_INDEX: dict[int, float] = {
    2016: 0.86, 2017: 0.87, 2018: 0.88, 2019: 0.90,
    2020: round(1 / (1 + GROWTH_2020_2021), 4),
    2021: 1.00, 2022: 1.02, 2023: 0.99, 2024: 1.01, 2025: 1.02, 2026: 1.02,
}

#: [published] Contract nature mix of notices (FI-NOTICES, 2021).
NATURE_MIX: dict[str, float] = {"services": 0.50, "supplies": 0.27, "works": 0.23}

# --------------------------------------------------------------------------
# Volume (FI-VOL)
# --------------------------------------------------------------------------

#: [published] EUR bought from competitive markets per year (FI-VOL, 2018).
MARKET_VOLUME_EUR: float = 31e9

#: [published] EUR bought above the EU thresholds from markets (FI-VOL, 2018).
ABOVE_THRESHOLD_VOLUME_EUR: float = 15e9

#: [assumption] Share of the EUR 31 bn market volume that passes through
#: notified procedures and is awarded in contract award notices. 0.5 gives
#: EUR 15.5 bn a year in 2018, just above the EUR 15 bn above-threshold
#: figure, which a corpus holding both EU and national notices must cover.
NOTIFIED_SHARE_OF_MARKET: float = 0.50

#: The calibration target: awarded value of result-notice lots in 2018.
AWARDED_VOLUME_2018_EUR: float = NOTIFIED_SHARE_OF_MARKET * MARKET_VOLUME_EUR

#: [assumption] Nominal growth of the awarded volume per year after 2018
#: (price level and volume together).
VOLUME_GROWTH: float = 0.03

#: [published] Share of the volume bought by the state (FI-VOL, TEM: state
#: about 1/3, municipalities about 2/3). The local sector here is
#: municipalities, their companies, joint authorities and wellbeing counties.
STATE_VALUE_SHARE: float = 1 / 3

# --------------------------------------------------------------------------
# Competition and award (SMS-2024, assumptions)
# --------------------------------------------------------------------------

#: [published] EU-average single-bidder rate (SMS-2024); the demo aims at a
#: Finnish rate of 20-30 % around it.
SINGLE_BIDDER_EU_AVERAGE: float = 0.28

#: [assumption] Extra tenders beyond the first follow a negative binomial with
#: this shape and a mean by contract nature; together with direct awards this
#: gives a single-bidder rate of about 25 %.
EXTRA_TENDERS_SHAPE: float = 1.2
EXTRA_TENDERS_MEAN: dict[str, float] = {"services": 2.8, "supplies": 3.6, "works": 3.2}

#: [published] EU-average share awarded on price only (SMS-2024: 54 %).
PRICE_ONLY_EU_AVERAGE: float = 0.54

#: [assumption] Price-only share by nature in 2018 and its yearly change.
PRICE_ONLY_2018: dict[str, float] = {"services": 0.40, "supplies": 0.66, "works": 0.58}
PRICE_ONLY_TREND: float = -0.012

#: [published] EU-average share of tenders from SMEs (SMS-2024: 72 %).
SME_BID_SHARE: float = 0.72

#: [assumption] Share of lots that establish a framework agreement.
FRAMEWORK_SHARE: float = 0.20

# --------------------------------------------------------------------------
# Hilma statistics (FI-INNOV-*, FI-SME-CONS, FI-ENV-2017)
# --------------------------------------------------------------------------

#: [published] Share of procurements new to the market, 2020 (FI-INNOV-MKT).
NEW_TO_MARKET_2020: float = 0.05

#: [published] Share of procurements new to the buyer, 2020 (FI-INNOV-BUY).
NEW_TO_BUYER_2020: float = 0.45

#: [published] ``smeParticipationConsidered`` share 2022 and 2023 (FI-SME-CONS).
SME_CONSIDERED: dict[int, float] = {2022: 0.809, 2023: 0.83}

#: [published] Municipal calls with an environmental aspect / a clearly
#: defined environmental criterion / a life-cycle criterion, 2017 (FI-ENV-2017).
ENV_ANY_2017: float = 0.66
ENV_DEFINED_2017: float = 0.44
ENV_LIFECYCLE_2017: float = 0.15

#: [assumption] Share of awarded lots whose Hilma statistics were answered,
#: by year. The questions are mandatory from 2022; before that the demo
#: assumes voluntary answers on a small, random (MCAR) share of lots and
#: leaves the rest null.
HILMA_ANSWER_RATE: dict[int, float] = {2018: 0.05, 2019: 0.08, 2020: 0.12, 2021: 0.18}

#: The first year in which Hilma statistics are mandatory.
HILMA_MANDATORY_FROM: int = 2022

#: [assumption] eForms strategic-procurement fields (BT-06/774/775/776/805)
#: exist only on notices published from the EU-wide eForms date on.
EFORMS_FROM: str = "2023-10-25"

# --------------------------------------------------------------------------
# Capability survey (FI-STRAT-MGMT exists; figures not published)
# --------------------------------------------------------------------------

#: [assumption] Survey years: every other year.
SURVEY_EVERY: int = 2

#: [assumption] Share of buyers answering a survey round.
SURVEY_RESPONSE_RATE: float = 0.6

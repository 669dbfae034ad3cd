"""The buyers of the demonstration corpus and how much each of them buys.

Buyers are every Finnish municipality (309, from
:func:`keino_metrics.geography.municipalities`), the regional joint
authorities (regional councils, hospital districts 2018-2022, wellbeing
services counties and HUS from 2023), about ninety state bodies and some fifty
municipal companies. Names follow the real naming patterns; the business ids
are derived from the names (see :mod:`keino_metrics.demo.ids`) and are not the
real ones. The buyer list does not depend on the seed.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from keino_metrics import geography
from keino_metrics.demo.ids import business_ids

__all__ = ["BUYER_KIND_SHARE", "buyer_frame", "activity"]

#: [assumption] Share of procedures by kind of buyer (before 2023; from 2023
#: a fifth of the municipal share moves to the wellbeing services counties).
BUYER_KIND_SHARE: dict[str, float] = {
    "municipality": 0.48, "company": 0.07, "joint": 0.15, "state": 0.30,
}

#: [assumption] Share of municipal procurement (health and social services)
#: that moved to the wellbeing services counties on 1.1.2023.
REFORM_SHIFT: float = 0.20

REFORM_YEAR: int = 2023

_REGION_GENITIVE = {
    "01": "Uudenmaan", "02": "Varsinais-Suomen", "04": "Satakunnan", "05": "Kanta-Hämeen",
    "06": "Pirkanmaan", "07": "Päijät-Hämeen", "08": "Kymenlaakson", "09": "Etelä-Karjalan",
    "10": "Etelä-Savon", "11": "Pohjois-Savon", "12": "Pohjois-Karjalan",
    "13": "Keski-Suomen", "14": "Etelä-Pohjanmaan", "15": "Pohjanmaan",
    "16": "Keski-Pohjanmaan", "17": "Pohjois-Pohjanmaan", "18": "Kainuun", "19": "Lapin",
    "21": "Ahvenanmaan",
}

#: Municipalities whose majority language is Swedish (names in Swedish);
#: all of Åland (region 21) is Swedish-speaking as well.
SWEDISH_MAJORITY = frozenset({
    "Närpes", "Korsnäs", "Malax", "Korsholm", "Vörå", "Nykarleby", "Jakobstad",
    "Pedersöre", "Larsmo", "Kronoby", "Kristinestad", "Raseborg", "Ingå", "Kimitoön",
    "Pargas",
})

#: Bilingual municipalities with a Finnish-speaking majority (names in Finnish).
BILINGUAL_FINNISH_MAJORITY = frozenset({
    "Helsinki", "Espoo", "Vantaa", "Kauniainen", "Hanko", "Kirkkonummi", "Lapinjärvi",
    "Lohja", "Loviisa", "Porvoo", "Siuntio", "Sipoo", "Turku", "Kaskinen", "Kokkola", "Vaasa",
})

# (name, legal type, weight, region of the head office)
_STATE = [
    ("Valtioneuvoston kanslia", "cga", 1, "01"), ("Ulkoministeriö", "cga", 2, "01"),
    ("Oikeusministeriö", "cga", 1, "01"), ("Sisäministeriö", "cga", 1, "01"),
    ("Puolustusministeriö", "cga", 1, "01"), ("Valtiovarainministeriö", "cga", 1, "01"),
    ("Opetus- ja kulttuuriministeriö", "cga", 1, "01"),
    ("Maa- ja metsätalousministeriö", "cga", 1, "01"),
    ("Liikenne- ja viestintäministeriö", "cga", 1, "01"),
    ("Työ- ja elinkeinoministeriö", "cga", 2, "01"),
    ("Sosiaali- ja terveysministeriö", "cga", 1, "01"), ("Ympäristöministeriö", "cga", 1, "01"),
    ("Väylävirasto", "cga", 12, "01"), ("Liikenne- ja viestintävirasto Traficom", "cga", 3, "01"),
    ("Puolustusvoimien logistiikkalaitos", "cga", 12, "06"),
    ("Rajavartiolaitos", "cga", 4, "01"), ("Poliisihallitus", "cga", 5, "01"),
    ("Verohallinto", "cga", 3, "01"), ("Tulli", "cga", 3, "01"),
    ("Maahanmuuttovirasto", "cga", 3, "01"), ("Senaatti-kiinteistöt", "cga", 9, "01"),
    ("Valtion tieto- ja viestintätekniikkakeskus Valtori", "cga", 6, "01"),
    ("Valtiokonttori", "cga", 2, "01"), ("Palvelukeskus Palkeet", "cga", 1, "12"),
    ("Kansaneläkelaitos", "body-pl-cga", 6, "01"), ("Tilastokeskus", "cga", 2, "01"),
    ("Ilmatieteen laitos", "cga", 2, "01"), ("Suomen ympäristökeskus", "cga", 2, "01"),
    ("Luonnonvarakeskus", "cga", 3, "01"), ("Geologian tutkimuskeskus", "cga", 2, "01"),
    ("Metsähallitus", "body-pl-cga", 3, "01"), ("Opetushallitus", "cga", 2, "01"),
    ("Terveyden ja hyvinvoinnin laitos", "cga", 3, "01"),
    ("Työterveyslaitos", "body-pl-cga", 1, "01"), ("Ruokavirasto", "cga", 2, "01"),
    ("Turvallisuus- ja kemikaalivirasto", "cga", 1, "01"), ("Energiavirasto", "cga", 1, "01"),
    ("Business Finland", "body-pl-cga", 2, "01"),
    ("Patentti- ja rekisterihallitus", "cga", 1, "01"),
    ("Digi- ja väestötietovirasto", "cga", 3, "01"), ("Rikosseuraamuslaitos", "cga", 3, "01"),
    ("Oikeusrekisterikeskus", "cga", 1, "05"), ("Tuomioistuinvirasto", "cga", 1, "01"),
    ("Syyttäjälaitos", "cga", 1, "01"), ("Ulosottolaitos", "cga", 1, "01"),
    ("Hätäkeskuslaitos", "cga", 1, "04"), ("Pelastusopisto", "cga", 1, "11"),
    ("Poliisiammattikorkeakoulu", "cga", 1, "06"), ("Museovirasto", "cga", 1, "01"),
    ("Kansallisarkisto", "cga", 1, "01"), ("Suomen Akatemia", "cga", 1, "01"),
    ("Lääkealan turvallisuus- ja kehittämiskeskus Fimea", "cga", 1, "11"),
    ("Sosiaali- ja terveysalan lupa- ja valvontavirasto", "cga", 1, "01"),
    ("Säteilyturvakeskus", "cga", 1, "01"), ("Maanmittauslaitos", "cga", 3, "01"),
    ("Kansallisgalleria", "body-pl-cga", 1, "01"),
    ("Elinkeino-, liikenne- ja ympäristökeskusten sekä työ- ja elinkeinotoimistojen "
     "kehittämis- ja hallintokeskus", "cga", 3, "10"),
    ("Hansel Oy", "pub-undert-cga", 6, "01"), ("Suomen Erillisverkot Oy", "pub-undert-cga", 2, "01"),
    ("Finavia Oyj", "pub-undert-cga", 3, "01"), ("Puolustuskiinteistöt", "cga", 3, "01"),
    ("Helsingin yliopisto", "body-pl-cga", 4, "01"), ("Aalto-yliopisto", "body-pl-cga", 3, "01"),
    ("Tampereen yliopisto", "body-pl-cga", 3, "06"), ("Turun yliopisto", "body-pl-cga", 2, "02"),
    ("Oulun yliopisto", "body-pl-cga", 2, "17"), ("Jyväskylän yliopisto", "body-pl-cga", 2, "13"),
    ("Itä-Suomen yliopisto", "body-pl-cga", 2, "11"), ("LUT-yliopisto", "body-pl-cga", 1, "09"),
    ("Vaasan yliopisto", "body-pl-cga", 1, "15"), ("Lapin yliopisto", "body-pl-cga", 1, "19"),
    ("Åbo Akademi", "body-pl-cga", 1, "02"), ("Taideyliopisto", "body-pl-cga", 1, "01"),
]
_ELY = ["01", "02", "04", "05", "06", "08", "10", "11", "12", "13", "14", "15", "17", "18", "19"]
_ELY_NAME = {"05": "Hämeen", "08": "Kaakkois-Suomen"}
_AVI = [("Etelä-Suomen", "05"), ("Lounais-Suomen", "02"), ("Länsi- ja Sisä-Suomen", "15"),
        ("Itä-Suomen", "10"), ("Pohjois-Suomen", "17"), ("Lapin", "19")]

_CITY_GENITIVE = {
    "Helsinki": "Helsingin", "Espoo": "Espoon", "Tampere": "Tampereen", "Vantaa": "Vantaan",
    "Oulu": "Oulun", "Turku": "Turun", "Jyväskylä": "Jyväskylän", "Kuopio": "Kuopion",
    "Lahti": "Lahden", "Pori": "Porin", "Kouvola": "Kouvolan", "Joensuu": "Joensuun",
    "Lappeenranta": "Lappeenrannan", "Hämeenlinna": "Hämeenlinnan", "Vaasa": "Vaasan",
    "Seinäjoki": "Seinäjoen", "Rovaniemi": "Rovaniemen", "Mikkeli": "Mikkelin",
    "Kotka": "Kotkan", "Salo": "Salon", "Porvoo": "Porvoon", "Kokkola": "Kokkolan",
    "Hyvinkää": "Hyvinkään", "Lohja": "Lohjan", "Järvenpää": "Järvenpään",
    "Nurmijärvi": "Nurmijärven", "Kirkkonummi": "Kirkkonummen", "Rauma": "Rauman",
    "Tuusula": "Tuusulan", "Kerava": "Keravan", "Kajaani": "Kajaanin", "Kaarina": "Kaarinan",
    "Nokia": "Nokian", "Ylöjärvi": "Ylöjärven", "Savonlinna": "Savonlinnan",
    "Kangasala": "Kangasalan", "Vihti": "Vihdin", "Riihimäki": "Riihimäen",
    "Raasepori": "Raaseporin", "Imatra": "Imatran",
}
_PORTS = frozenset({"Helsinki", "Espoo", "Turku", "Oulu", "Pori", "Vaasa", "Kotka", "Porvoo",
                    "Kokkola", "Rauma", "Raasepori", "Kirkkonummi"})
_INLAND_SATAMA = "Pysäköinti Oy"
_COMPANY_TYPES = ["Vesi Oy", "Energia Oy", "Asunnot Oy", "Tilapalvelut Oy", "Satama Oy",
                  "Jätehuolto Oy", "Kiinteistöt Oy", "Liikenne Oy", "Ateriapalvelut Oy"]


def _row(name, legal_type, kind, region, weight, start=None, end=None, muni=None, pop=None):
    return {"name": name, "legal_type": legal_type, "buyer_kind": kind, "region_code": region,
            "municipality_code": muni, "weight": float(weight), "active_from": start,
            "active_to": end, "population": pop}


@cache
def _frame() -> pd.DataFrame:
    m = geography.municipalities()
    r = geography.regions().set_index("region_code")
    rows = []
    for rec in m.itertuples():
        swedish = rec.region_code == "21" or rec.name_sv in SWEDISH_MAJORITY
        name = rec.name_sv if swedish else rec.name_fi
        pop = int(rec.population_2020_12_31)
        rows.append(_row(name, "la", "municipality", rec.region_code,
                         pop ** 0.9 + 3000 ** 0.9, muni=rec.municipality_code, pop=pop))
    for code, gen in _REGION_GENITIVE.items():
        pop = int(r.loc[code, "population_2020_12_31"])
        if code == "21":
            rows.append(_row("Ålands landskapsregering", "ra", "joint", code, 0.04 * pop))
            rows.append(_row("Ålands hälso- och sjukvård", "body-pl-ra", "joint", code, 0.12 * pop))
            continue
        council = "Satakuntaliitto" if code == "04" else f"{gen} liitto"
        rows.append(_row(council, "body-pl-la", "joint", code, 0.02 * pop))
        hd = ("Helsingin ja Uudenmaan sairaanhoitopiirin kuntayhtymä" if code == "01"
              else f"{gen} sairaanhoitopiiri")
        rows.append(_row(hd, "body-pl-la", "joint", code, pop, end=REFORM_YEAR - 1))
        if code == "01":
            rows.append(_row("HUS-yhtymä", "body-pl-ra", "joint", code, 0.7 * pop,
                             start=REFORM_YEAR))
            for sub, share in [("Itä-Uudenmaan", 0.06), ("Keski-Uudenmaan", 0.12),
                               ("Länsi-Uudenmaan", 0.29), ("Vantaan ja Keravan", 0.16)]:
                rows.append(_row(f"{sub} hyvinvointialue", "ra", "joint", code, share * pop,
                                 start=REFORM_YEAR))
        else:
            rows.append(_row(f"{gen} hyvinvointialue", "ra", "joint", code, 1.3 * pop,
                             start=REFORM_YEAR))
    for name, lt, w, reg in _STATE:
        rows.append(_row(name, lt, "state", reg, w))
    for reg in _ELY:
        rows.append(_row(f"{_ELY_NAME.get(reg, _REGION_GENITIVE[reg])} elinkeino-, liikenne- ja "
                         "ympäristökeskus", "cga", "state", reg, 3))
    for gen, reg in _AVI:
        rows.append(_row(f"{gen} aluehallintovirasto", "cga", "state", reg, 1))
    top = m.sort_values("population_2020_12_31", ascending=False).head(len(_CITY_GENITIVE))
    for i, rec in enumerate(top.itertuples()):
        types = [_COMPANY_TYPES[i % 9]] + ([_COMPANY_TYPES[(4 * i + 3) % 9]] if i < 15 else [])
        types = [_INLAND_SATAMA if t == "Satama Oy" and rec.name_fi not in _PORTS else t
                 for t in types]
        for t in dict.fromkeys(types):
            rows.append(_row(f"{_CITY_GENITIVE[rec.name_fi]} {t}", "pub-undert-la", "company",
                             rec.region_code, int(rec.population_2020_12_31) ** 0.8,
                             muni=rec.municipality_code))
    df = pd.DataFrame(rows)
    df.insert(0, "buyer_id", business_ids(df["name"].tolist()))
    reg = geography.regions().set_index("region_code")
    muni = m.set_index("municipality_code")
    has_muni = df["municipality_code"].notna()
    df["nuts3_2021"] = df["region_code"].map(reg["nuts3_2021"])
    df["nuts3_2024"] = df["region_code"].map(reg["nuts3_2024"])
    df.loc[has_muni, "nuts3_2021"] = df.loc[has_muni, "municipality_code"].map(muni["nuts3_2021"])
    df.loc[has_muni, "nuts3_2024"] = df.loc[has_muni, "municipality_code"].map(muni["nuts3_2024"])
    fi_name = df["municipality_code"].map(muni["name_fi"])
    sv_name = df["municipality_code"].map(muni["name_sv"])
    swedish = (df["region_code"] == "21") | sv_name.isin(SWEDISH_MAJORITY)
    bilingual = fi_name.isin(BILINGUAL_FINNISH_MAJORITY)
    df["p_swedish"] = np.select([swedish, bilingual], [0.9, 0.16], 0.0)
    df["p_english"] = np.where(df["buyer_kind"] == "state", 0.07,
                               np.where(df["weight"] > 2e4, 0.02, 0.005))
    df["country"] = "FI"
    return df


def buyer_frame() -> pd.DataFrame:
    """All buyers with their attributes (a copy).

    Columns: ``buyer_id``, ``name``, ``legal_type``, ``buyer_kind``
    (municipality, joint, state, company), ``region_code``,
    ``municipality_code``, ``weight`` (relative purchasing activity within the
    kind), ``active_from``/``active_to`` (years, null when always active),
    ``population``, ``nuts3_2021``, ``nuts3_2024``, ``p_swedish`` and
    ``p_english`` (probability that a notice is written in that language),
    ``country``.
    """
    return _frame().copy()


def activity(buyers: pd.DataFrame, years: list[int]) -> np.ndarray:
    """Expected share of each year's procedures bought by each buyer.

    Returns an array ``(len(buyers), len(years))`` whose columns sum to one:
    within each kind the shares follow ``weight``; kinds follow
    :data:`BUYER_KIND_SHARE`; inactive years get zero; from
    :data:`REFORM_YEAR` a :data:`REFORM_SHIFT` of the municipal share moves to
    the wellbeing services counties and HUS.
    """
    out = np.zeros((len(buyers), len(years)))
    kind = buyers["buyer_kind"].to_numpy()
    w = buyers["weight"].to_numpy(float)
    start = buyers["active_from"].fillna(0).to_numpy(float)
    end = buyers["active_to"].fillna(9999).to_numpy(float)
    reform_new = (buyers["active_from"] == REFORM_YEAR).to_numpy()
    for j, year in enumerate(years):
        active = (start <= year) & (year <= end)
        share = dict(BUYER_KIND_SHARE)
        if year >= REFORM_YEAR:
            share["municipality"] *= 1 - REFORM_SHIFT
        for k, s in share.items():
            sel = active & (kind == k)
            if k == "joint" and year >= REFORM_YEAR:
                base = sel & ~reform_new
                out[base, j] = s * w[base] / w[sel].sum()
                new = sel & reform_new
                out[new, j] = (s * w[new] / w[sel].sum()
                               + BUYER_KIND_SHARE["municipality"] * REFORM_SHIFT
                               * w[new] / w[new].sum())
            else:
                out[sel, j] = s * w[sel] / w[sel].sum()
    return out / out.sum(axis=0, keepdims=True)

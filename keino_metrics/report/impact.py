"""The impact report: programme effect, robustness, target, hidden volume, carbon.

The impact report is a second parameterised notebook
(``notebooks/reports/impact_report.ipynb``) beside the annual report. It runs the
models of :mod:`keino_metrics.impact` on the buyer-by-year panel of one outcome
indicator (:func:`keino_metrics.indicators.buyer_year_panel`) and on the lots and
awards of the report year, and explains each result in Finnish or English:

1. the effect of programme participation (Callaway and Sant'Anna staggered
   difference-in-differences), with the event-study figure and the pre-test of
   parallel trends;
2. robustness: the other control group, the outcome-regression and
   inverse-probability estimators, a size covariate, and the two-way fixed
   effects and Sun and Abraham regressions for comparison;
3. the trajectory of each candidate definition of the 10 % innovative-procurement
   target, with the probability of reaching it by 2030;
4. hidden volume: a text classifier's estimate of the share of lots that are new
   to the market against the flagged share;
5. carbon: spend-based emissions by CPV division, avoided emissions under stated
   assumptions, and the national total against the published estimate.

On generated demonstration data every estimate is set against the effect the
generator put in (:mod:`keino_metrics.demo`).

:func:`compute_impact` computes every number once into a frozen
:class:`ImpactContent`; the notebook renders it with the ``*_html`` functions
here and :func:`build_impact_report` exports the same content as figures, CSV
and Excel. Parameters are validated by :func:`validate_impact_params` before
papermill runs and again inside the notebook. The models are the maintained
libraries wrapped in :mod:`keino_metrics.impact`; what is written here is only
the report: the selection of data, the bilingual texts and the layout, which no
library provides.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from keino_metrics import paths
from keino_metrics.dataset import Dataset
from keino_metrics.report import figures, metadata, numbers, params, render, tables

__all__ = ["NOTEBOOK", "LANGUAGES", "CONTROLS", "ALL_PROGRAMMES", "DEFAULT_OUTCOME",
           "TARGET_YEAR", "ImpactParams", "ImpactContent", "validate_impact_params",
           "allowed_outcomes", "data_programmes", "impact_panel", "compute_impact",
           "load_data", "collect_metadata", "title_html", "effect_html", "robustness_html",
           "target_html", "hidden_html", "carbon_html", "appendix_html",
           "build_impact_report", "text"]

#: The impact report notebook (relative to the project root).
NOTEBOOK = Path("notebooks") / "reports" / "impact_report.ipynb"
#: Languages of the impact report.
LANGUAGES: tuple[str, ...] = ("fi", "en")
#: Comparison groups of the staggered difference-in-differences.
CONTROLS: tuple[str, ...] = ("never_treated", "not_yet_treated")
#: ``programme`` value for participation in any programme.
ALL_PROGRAMMES = "all"
#: Default outcome indicator.
DEFAULT_OUTCOME = "KEINO-INNOV-MKT-N"
#: Year by which the 10 % innovative-procurement target should be reached.
TARGET_YEAR = 2030
#: Catalogue family of the candidate definitions of the 10 % target.
TARGET_FAMILY = "innovation-target"
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
#: Cross-validated AUC below which the texts are taken not to separate the lots.
MIN_AUC = 0.60
_MAX_TEXT = 200


# -- texts -----------------------------------------------------------------------
_TEXTS: dict[str, dict[str, str]] = {
    "title": {"fi": "Hankintojen vaikuttavuusraportti {year}",
              "en": "Impact report on public procurement {year}"},
    "subtitle": {
        "fi": "Kehittämisohjelmien vaikutus, 10 %:n innovaatiotavoite, piilevä volyymi ja "
              "hankintojen hiilijalanjälki, {first_year}–{year}",
        "en": "Effect of the development programmes, the 10 % innovation target, hidden "
              "volume and the carbon footprint of procurement, {first_year}–{year}"},
    "data_line": {
        "fi": "Aineisto: {source}. Tulosmuuttuja {outcome} ({outcome_name}), ohjelma: "
              "{programme}, vertailuryhmä: {control}, raporttivuosi {year}, satunnaissiemen "
              "{seed}.",
        "en": "Data: {source}. Outcome {outcome} ({outcome_name}), programme: {programme}, "
              "control group: {control}, report year {year}, random seed {seed}."},
    "how_to_read": {
        "fi": "Jokainen osio kertoo ensin, mitä menetelmä olettaa, sitten tulokset ja lopuksi, "
              "miten kukin luku luetaan. Vaikutukset ovat prosenttiyksiköitä "
              "(%-yks.) osuudesta; välit ovat 95 %:n luottamus- tai ennustevälejä. "
              "Luku on arvio, ei tosiasia: sen luotettavuus riippuu oletuksista.",
        "en": "Each section first says what its method assumes, then gives the results and "
              "how to read each number. Effects are percentage points (pp) of a share; "
              "intervals are 95 % confidence or prediction intervals. A number is an "
              "estimate, not a fact: it is as good as the assumptions behind it."},
    "source_demo": {"fi": "keino_metrics.demo-moduulin tuottama demoaineisto",
                    "en": "demonstration data generated by keino_metrics.demo"},
    "source_files": {"fi": "aineistohakemiston kanoniset taulut",
                     "en": "canonical tables read from the data directory"},
    "all_programmes": {"fi": "mikä tahansa ohjelma (ensimmäinen liittyminen)",
                       "en": "any programme (first join)"},
    "control.never_treated": {"fi": "ei koskaan osallistuneet",
                              "en": "never participating"},
    "control.not_yet_treated": {"fi": "ei vielä osallistuneet",
                                "en": "not yet participating"},
    "pp": {"fi": "%-yks.", "en": "pp"},
    "yes": {"fi": "kyllä", "en": "yes"},
    "no": {"fi": "ei", "en": "no"},
    "not_reached": {"fi": "ei 50 vuodessa", "en": "not within 50 years"},
    "skipped": {"fi": "Ei laskettu: {reason}", "en": "Not computed: {reason}"},
    # section: effect
    "sec.effect": {"fi": "1. Ohjelmaan osallistumisen vaikutus",
                   "en": "1. Effect of programme participation"},
    "effect.assumes": {
        "fi": "Menetelmä: porrastettu erotusten erotus (Callaway & Sant'Anna 2021, "
              "kaksinkertaisesti robusti estimaattori). Kunkin liittymisvuoden ryhmää "
              "(kohorttia) verrataan vertailuryhmään vuosi kerrallaan, ja ryhmä-vuosi-"
              "vaikutukset ATT(g, t) kootaan yhteen. Oletukset: (1) rinnakkaiset trendit: "
              "ilman ohjelmaa osallistujien osuus olisi muuttunut samoin kuin vertailuryhmän; "
              "(2) ei ennakointia: osuus ei muutu ennen liittymisvuotta; (3) liittyminen ei "
              "vaikuta muihin hankintayksiköihin. Yksikkö on hankintayksikkö ja vuosi; "
              "tulosmuuttuja on indikaattorin osuus hankintayksikön vuoden hankinnoista. "
              "Vuodet, joina yksiköllä ei ole hankintoja, jäävät pois (epätasapainoinen "
              "paneeli, keskivirheet klusteroitu yksiköittäin).",
        "en": "Method: staggered difference-in-differences (Callaway & Sant'Anna 2021, "
              "doubly robust estimator). Each cohort (buyers that joined in the same year) "
              "is compared with the control group year by year, and the group-time effects "
              "ATT(g, t) are aggregated. Assumptions: (1) parallel trends: without the "
              "programme the participants' share would have moved like the control group's; "
              "(2) no anticipation: the share does not change before the year of joining; "
              "(3) joining does not affect other buyers. The unit is a buyer and year; the "
              "outcome is the indicator's share of the buyer's procurement in that year. "
              "Years in which a buyer has no procurement are left out (unbalanced panel, "
              "standard errors clustered by buyer)."},
    "effect.lead": {
        "fi": "Osallistuminen muutti osuutta keskimäärin {estimate} (95 %:n väli {ci}); "
              "{n_treated} osallistujaa ja {n_control} vertailuyksikköä, {n_units} "
              "hankintayksikköä yhteensä.",
        "en": "Participation changed the share by {estimate} on average (95 % interval "
              "{ci}); {n_treated} participants and {n_control} control units, {n_units} "
              "buyers in all."},
    "effect.truth": {
        "fi": "Demoaineistoon on rakennettu tunnettu todellinen vaikutus: painotettuna "
              "samoin kuin estimaatti se on {truth}. Estimaatin 95 %:n väli {covers} "
              "todellisen arvon.",
        "en": "The demonstration data carry a known true effect: weighted as the estimate "
              "is, it is {truth}. The estimate's 95 % interval {covers} the true value."},
    "covers": {"fi": "sisältää", "en": "contains"},
    "misses": {"fi": "ei sisällä", "en": "does not contain"},
    "effect.no_truth": {
        "fi": "Tälle tulosmuuttujalle demoaineistossa ei ole tunnettua todellista vaikutusta.",
        "en": "The demonstration data have no known true effect for this outcome."},
    "pretest.lead": {
        "fi": "Rinnakkaisten trendien esitesti: Waldin testisuure {w}, vapausasteet {df}, "
              "p-arvo {p}.",
        "en": "Pre-test of parallel trends: Wald statistic {w}, degrees of freedom {df}, "
              "p-value {p}."},
    "pretest.none": {"fi": "Esitestiä ei voitu laskea (ei käsittelyä edeltäviä jaksoja).",
                     "en": "No pre-test (no pre-treatment periods)."},
    "effect.read": {
        "fi": "Näin luet luvut: ATT on osallistujien osuuden muutos verrattuna siihen, mitä "
              "se olisi ollut ilman ohjelmaa, prosenttiyksikköinä. 'Yksinkertainen' painottaa "
              "kaikkia osallistumisen jälkeisiä ryhmä-vuosia ryhmän koolla, 'ryhmä' on "
              "kohorttien vaikutusten keskiarvo (suositeltu yksi luku), 'dynaaminen' "
              "tapahtuma-ajan vaikutusten keskiarvo ja 'kalenteri' vuosien keskiarvo. "
              "Kuviossa tapahtuma-aika 0 on liittymisvuosi; pisteet ennen sitä ovat "
              "esitestin jaksoja ja niiden pitäisi olla lähellä nollaa. Pystyviivat ovat "
              "pistekohtaisia 95 %:n välejä, vaalea vyö yhtäaikainen vyö kaikille jaksoille. "
              "Esitestin pieni p-arvo (alle 0,05) viittaa erilaisiin trendeihin tai "
              "ennakointiin; suuri p-arvo ei todista trendejä rinnakkaisiksi.",
        "en": "How to read: the ATT is the change in the participants' share compared with "
              "what it would have been without the programme, in percentage points. "
              "'Simple' weights all post-joining group-years by group size, 'group' is the "
              "mean of the cohort effects (the recommended single number), 'dynamic' the "
              "mean of the event-time effects and 'calendar' the mean over years. In the "
              "figure, event time 0 is the year of joining; the points before it are the "
              "pre-test periods and should be near zero. Bars are pointwise 95 % intervals, "
              "the light band a uniform band over all periods. A small pre-test p-value "
              "(below 0.05) points to different trends or anticipation; a large one does "
              "not prove the trends parallel."},
    "fig.event_title": {"fi": "Tapahtumatutkimus: {outcome}",
                        "en": "Event study: {outcome}"},
    "fig.event_x": {"fi": "Vuosia liittymisestä", "en": "Years since joining"},
    "fig.effect_y": {"fi": "Vaikutus osuuteen (%-yks.)", "en": "Effect on the share (pp)"},
    "fig.truth": {"fi": "Todellinen vaikutus (demo)", "en": "True effect (demo)"},
    "fig.band": {"fi": "Yhtäaikainen 95 %:n vyö", "en": "Uniform 95 % band"},
    # section: robustness
    "sec.robustness": {"fi": "2. Herkkyystarkastelut", "en": "2. Robustness"},
    "robust.assumes": {
        "fi": "Sama vaikutus arvioidaan toisin valinnoin. Vertailuryhmä 'ei vielä "
              "osallistuneet' käyttää vertailuna myös myöhemmin liittyviä; se olettaa, että "
              "heidän trendinsä ennen liittymistä vastaa osallistujien trendiä. "
              "Tulosmuuttujamalli (reg) olettaa vertailuryhmän muutoksen mallin oikeaksi, "
              "käänteistodennäköisyyspainotus (ipw) osallistumismallin oikeaksi; "
              "kaksinkertaisesti robusti (dr) tarvitsee vain toisen. Koon kovariaatti "
              "(log keskimääräisistä vuosittaisista hankinnoista) sallii trendien erota "
              "koon mukaan. TWFE on tavallinen kiinteiden vaikutusten regressio (osallistuja "
              "× jälkeen). Sun & Abraham on kohortti-tapahtuma-aikakohtainen regressio, "
              "joka vertaa vain ei koskaan osallistuneisiin.",
        "en": "The same effect is estimated with other choices. The control group 'not yet "
              "participating' also uses buyers that join later; it assumes their trend "
              "before joining matches the participants'. Outcome regression (reg) assumes "
              "the model of the control group's change is right, inverse probability "
              "weighting (ipw) that the model of participation is right; doubly robust (dr) "
              "needs only one of them. The size covariate (log of mean yearly procurement) "
              "lets trends differ by size. TWFE is the conventional fixed-effects regression "
              "(participant x after). Sun & Abraham is a cohort-by-event-time regression "
              "that compares only with never-participating buyers."},
    "robust.twfe_bias": {
        "fi": "Miksi TWFE voi olla harhainen: kun ryhmät liittyvät eri vuosina ja vaikutus kasvaa "
              "ajan myötä, TWFE-regressio käyttää jo osallistuneita vertailuryhmänä "
              "myöhemmin liittyville. Aiemmin liittyneiden kasvava vaikutus vähennetään "
              "silloin myöhempien vaikutuksesta ('kielletyt vertailut', Goodman-Bacon 2021), "
              "ja yksi kerroin on painotettu keskiarvo, jonka painot voivat olla jopa "
              "negatiivisia. Callaway & Sant'Anna ja Sun & Abraham eivät tee näitä "
              "vertailuja. Tässä TWFE-estimaatti poikkeaa Callaway & Sant'Anna "
              "-estimaatista {diff}{truth_part}.",
        "en": "Why TWFE can be biased: when groups join in different years and the effect grows "
              "over time, the TWFE regression uses buyers that have already joined as "
              "controls for those that join later. The growing effect of the early joiners "
              "is then subtracted from the later ones' ('forbidden comparisons', "
              "Goodman-Bacon 2021), and the single coefficient is a weighted mean whose "
              "weights can even be negative. Callaway & Sant'Anna and Sun & Abraham make no "
              "such comparisons. Here the TWFE estimate differs from the Callaway & "
              "Sant'Anna estimate by {diff}{truth_part}."},
    "robust.twfe_truth": {"fi": " ja todellisesta vaikutuksesta {diff}",
                          "en": " and from the true effect by {diff}"},
    "robust.read": {
        "fi": "Näin luet taulukon: jos estimaatit ovat lähellä toisiaan ja välit "
              "päällekkäisiä, tulos ei riipu näistä valinnoista. Suuri ero vertailuryhmien "
              "välillä viittaa siihen, että myöhemmin liittyvät eroavat ei koskaan "
              "osallistuvista; ero dr-, reg- ja ipw-estimaattien välillä viittaa "
              "mallivirheeseen. Esitestin p-arvo on annettu Callaway & Sant'Anna "
              "-estimaateille.",
        "en": "How to read the table: if the estimates are close and their intervals "
              "overlap, the result does not depend on these choices. A large difference "
              "between control groups suggests that later joiners differ from buyers that "
              "never join; a difference between the dr, reg and ipw estimates suggests a "
              "model error. The pre-test p-value is given for the Callaway & Sant'Anna "
              "estimates."},
    "fig.robust_title": {"fi": "Vaikutus eri menetelmin: {outcome}",
                         "en": "Effect by method: {outcome}"},
    "variant.main": {"fi": "Pääarvio: C&S, {control}, dr", "en": "Main: C&S, {control}, dr"},
    "variant.other_control": {"fi": "C&S, {control}, dr", "en": "C&S, {control}, dr"},
    "variant.reg": {"fi": "C&S, {control}, reg", "en": "C&S, {control}, reg"},
    "variant.ipw": {"fi": "C&S, {control}, ipw", "en": "C&S, {control}, ipw"},
    "variant.covariate": {"fi": "C&S, {control}, dr, koon kovariaatti",
                          "en": "C&S, {control}, dr, size covariate"},
    "variant.twfe": {"fi": "TWFE (staattinen)", "en": "TWFE (static)"},
    "variant.sun_abraham": {"fi": "Sun & Abraham", "en": "Sun & Abraham"},
    # section: target
    "sec.target": {"fi": "3. Polku kohti 10 %:n innovaatiotavoitetta",
                   "en": "3. Trajectory towards the 10 % innovation target"},
    "target.assumes": {
        "fi": "Menetelmä: kunkin tavoitteen ehdokasmääritelmän vuosiosuudelle sovitetaan "
              "lineaarinen trendi logit-asteikolla (satunnaisvaikutusten meta-regressio: "
              "vuoden osuudella on otantavirhe ja vuodet vaihtelevat trendin ympärillä). "
              "Ennuste olettaa, että trendi jatkuu samanlaisena vuoteen {target_year} ja "
              "että määritelmän tiedot kerätään samoin. Vuodet, joina määritelmän tarvitsemien kenttien "
              "kattavuus on alle {min_cov} sen parhaan vuoden kattavuudesta (ennen kenttien "
              "käyttöönottoa), jätetään pois. Arvoperusteisille osuuksille otantavirhe lasketaan "
              "luottamusvälistä. Hallituksen tavoitteella ei ole virallista määritelmää, "
              "joten jokainen ehdokas lasketaan erikseen.",
        "en": "Method: a linear trend on the logit scale is fitted to each candidate "
              "definition's yearly share (random-effects meta-regression: each year's share "
              "has a sampling error and the years scatter around the trend). The forecast "
              "assumes the trend continues alike until {target_year} and that the "
              "definition's data are collected the same way. Years in which the coverage of the fields the "
              "definition needs is below {min_cov} of its best year's (before the fields were "
              "in use) are left out. For value-weighted shares the sampling error is taken from "
              "the confidence interval. The government target has no official definition, "
              "so each candidate is tracked separately."},
    "target.read": {
        "fi": "Näin luet taulukon: 'ennuste' on trendin arvo vuonna {target_year} ja sen "
              "95 %:n ennusteväli; 'todennäköisyys' on simuloitu todennäköisyys, että osuus "
              "on vähintään tavoitteen suuruinen vuonna {target_year} (ja jonain vuonna "
              "siihen mennessä); 'vuosi' on ensimmäinen vuosi, jona trendi ylittää "
              "tavoitteen. Lyhyt aikasarja ja muutokset tiedonkeruussa tekevät ennusteesta "
              "epävarman; ennusteväli ei sisällä määritelmän muutosten epävarmuutta.",
        "en": "How to read the table: 'forecast' is the trend's value in {target_year} with "
              "its 95 % prediction interval; 'probability' is the simulated probability "
              "that the share is at or above the target in {target_year} (and in some year "
              "up to then); 'year' is the first year in which the trend reaches the target. "
              "A short series and changes in data collection make the forecast uncertain; "
              "the interval does not include the uncertainty of changing definitions."},
    "target.after": {"fi": "raporttivuosi on tavoitevuonna tai sen jälkeen",
                     "en": "the report year is at or after the target year"},
    "target.short": {"fi": "alle 3 vuotta tietoja", "en": "fewer than 3 years of data"},
    "fig.target_title": {"fi": "Innovatiivisten hankintojen osuus ja ennuste {target_year}",
                         "en": "Innovative procurement share and forecast to {target_year}"},
    "fig.observed": {"fi": "Havaittu", "en": "Observed"},
    "fig.trend": {"fi": "Trendi ja 95 %:n ennusteväli", "en": "Trend and 95 % prediction interval"},
    "fig.target": {"fi": "Tavoite", "en": "Target"},
    # section: hidden volume
    "sec.hidden": {"fi": "4. Piilevä volyymi: merkitsemättömät innovatiiviset hankinnat",
                   "en": "4. Hidden volume: innovative lots left unflagged"},
    "hidden.assumes": {
        "fi": "Menetelmä: hankintayksiköt vastaavat Hilman kysymykseen 'markkinoille uusi "
              "ratkaisu' osakohtaisesti, eikä jokainen uusi ratkaisu saa merkintää, joten "
              "merkitty osuus on alaraja. Tekstiluokitin (merkkien n-grammien TF-IDF ja "
              "logistinen regressio) opetetaan erottamaan merkityt osat merkitsemättömistä "
              "otsikon ja kuvauksen perusteella. Oletukset: (1) väärin merkittyjä osia ei "
              "ole; (2) uusi ratkaisu saa merkinnän samalla todennäköisyydellä tekstistä "
              "riippumatta; (3) osalla teksteistä ei ole epäselvyyttä (vain uusissa "
              "ratkaisuissa käytettyjä ilmauksia). Tällöin todellinen osuus on merkitty "
              "osuus jaettuna merkintätodennäköisyydellä. Luokitin opetetaan {n} "
              "satunnaisesti valitulla vuoden {year} osalla, joilla on Hilma-vastaus.",
        "en": "Method: buyers answer Hilma's question 'solution new to the market' lot by "
              "lot, and not every new solution gets its flag, so the flagged share is a "
              "lower bound. A text classifier (TF-IDF of character n-grams and logistic "
              "regression) is trained to tell flagged from unflagged lots by title and "
              "description. Assumptions: (1) there are no false flags; (2) a new solution "
              "is flagged with the same probability whatever its text; (3) some texts leave "
              "no doubt (wording used only for new solutions). The true share is then the "
              "flagged share divided by the flagging probability. The classifier is trained "
              "on {n} randomly drawn lots of {year} with a Hilma answer."},
    "hidden.assumes_audit": {
        "fi": "Menetelmä: hankintayksiköt vastaavat Hilman kysymykseen 'markkinoille uusi "
              "ratkaisu' osakohtaisesti, eikä jokainen uusi ratkaisu saa merkintää, joten "
              "merkitty osuus on alaraja. {n} satunnaisesti valitun vuoden {year} osan "
              "todellinen luokka tarkistetaan (tarkastusotos; demoaineistossa otos "
              "simuloidaan paljastamalla näiden osien todellinen luokka). Tekstiluokitin "
              "(merkkien n-grammien TF-IDF ja logistinen regressio, piirteinä otsikko, kuvaus "
              "ja Hilma-merkintä) opetetaan tarkastusotoksella, ja sen ristiinvalidoitu "
              "herkkyys ja tarkkuus korjaavat luokitellun osuuden koko perusjoukossa "
              "(Rogan-Gladen). Oletukset: (1) tarkastusotos on satunnainen; (2) luokittimen "
              "herkkyys ja tarkkuus ovat otoksessa ja perusjoukossa samat.",
        "en": "Method: buyers answer Hilma's question 'solution new to the market' lot by "
              "lot, and not every new solution gets its flag, so the flagged share is a "
              "lower bound. The true class of {n} randomly drawn lots of {year} is checked "
              "(an audit sample; in the demonstration data the audit is simulated by "
              "revealing these lots' true class). A text classifier (TF-IDF of character "
              "n-grams and logistic regression on title, description and the Hilma flag) is "
              "trained on the audit sample, and its cross-validated sensitivity and "
              "specificity correct the classified share of the whole population "
              "(Rogan-Gladen). Assumptions: (1) the audit sample is random; (2) the "
              "classifier's sensitivity and specificity are the same in the sample and in "
              "the population."},
    "hidden.read": {
        "fi": "Näin luet taulukon: 'merkitty osuus' on havaittu alaraja; 'arvioitu "
              "todellinen osuus' on luokittimen korjaama osuus ja sen 95 %:n "
              "bootstrap-väli; 'merkintätodennäköisyys' kertoo, kuinka suuri osa uusista "
              "ratkaisuista saa merkinnän; AUC kertoo, kuinka hyvin tekstit erottavat "
              "merkityt osat (0,5 = ei lainkaan, 1 = täysin). Jos AUC on alle {min_auc}, "
              "tekstit eivät erottele osia ja arvio on käyttökelvoton.",
        "en": "How to read the table: 'flagged share' is the observed lower bound; "
              "'estimated true share' is the classifier-corrected share with its 95 % "
              "bootstrap interval; 'flagging probability' is the share of new solutions "
              "that get their flag; AUC tells how well the texts separate flagged lots "
              "(0.5 = not at all, 1 = perfectly). If the AUC is below {min_auc}, the texts "
              "do not separate the lots and the estimate is not usable."},
    "hidden.uninformative": {
        "fi": "Tässä aineistossa AUC on {auc}: luokitin ei erottele osia, joten arviota "
              "ei pidä käyttää.",
        "en": "In these data the AUC is {auc}: the classifier does not separate the lots, "
              "so the estimate must not be used."},
    "hidden.informative": {
        "fi": "Tässä aineistossa AUC on {auc}: luokitin erottelee osia.",
        "en": "In these data the AUC is {auc}: the classifier separates the lots."},
    "hidden.truth": {
        "fi": "Demoaineistossa tiedetään jokaisen osan todellinen luokka: todellinen osuus "
              "on {truth}. Arvion 95 %:n väli {covers} sen.",
        "en": "In the demonstration data every lot's true class is known: the true share "
              "is {truth}. The estimate's 95 % interval {covers} it."},
    "hidden.none": {"fi": "vuodelta {year} ei ole riittävästi Hilma-vastauksia",
                    "en": "too few Hilma answers for {year}"},
    "fig.hidden_title": {"fi": "Markkinoille uusien ratkaisujen osuus {year}",
                         "en": "Share of solutions new to the market, {year}"},
    "fig.share_y": {"fi": "Osuus osista", "en": "Share of lots"},
    "row.flagged": {"fi": "Merkitty osuus", "en": "Flagged share"},
    "row.estimate": {"fi": "Arvioitu todellinen osuus", "en": "Estimated true share"},
    "row.truth": {"fi": "Todellinen osuus (demo)", "en": "True share (demo)"},
    "row.label_frequency": {"fi": "Merkintätodennäköisyys", "en": "Flagging probability"},
    "row.sensitivity": {"fi": "Luokittimen herkkyys (ristiinvalidoitu)",
                        "en": "Classifier sensitivity (cross-validated)"},
    "row.specificity": {"fi": "Luokittimen tarkkuus (ristiinvalidoitu)",
                        "en": "Classifier specificity (cross-validated)"},
    "row.auc": {"fi": "Luokittimen AUC (ristiinvalidoitu)",
                "en": "Classifier AUC (cross-validated)"},
    "row.lots": {"fi": "Osia otoksessa / perusjoukossa", "en": "Lots in sample / population"},
    # section: carbon
    "sec.carbon": {"fi": "5. Hankintojen hiilijalanjälki", "en": "5. Carbon footprint"},
    "carbon.assumes": {
        "fi": "Menetelmä: menoperusteinen arvio. Vuoden {year} sopimusten arvo (euroa) "
              "kerrotaan CPV-pääryhmän päästökertoimella (kg CO2e/€). Kertoimet on johdettu "
              "julkaistusta kansallisesta keskiarvosta (11 Mt CO2e / 28,3 mrd € vuonna 2015, "
              "ENVIMAT, Nissinen & Savolainen 2019) ja oletetuista toimialojen suhteellisista "
              "intensiteeteistä; ne ovat paikkamerkkejä, kunnes ENVIMAT- tai EXIOBASE-"
              "kertoimet ovat käytettävissä. Oletukset: hankinnan päästöt ovat "
              "verrannollisia sen hintaan, ja pääryhmän keskimääräinen kerroin kuvaa "
              "jokaista sen hankintaa. Epävarmuus: kertoimet ovat lognormaaleja, ja niillä on "
              "yhteinen kerroin, koska ne nojaavat samaan kansalliseen keskiarvoon "
              "(Monte Carlo, {n_sims} arvontaa).",
        "en": "Method: spend-based estimate. The value of the contracts awarded in {year} "
              "(euros) is multiplied by the emission factor of its CPV division (kg CO2e "
              "per EUR). The factors are derived from the published national mean (11 Mt "
              "CO2e for EUR 28.3 bn in 2015, ENVIMAT, Nissinen & Savolainen 2019) and "
              "assumed relative intensities by sector; they are placeholders until ENVIMAT "
              "or EXIOBASE factors are available. Assumptions: a purchase's emissions are "
              "proportional to its price, and the division's mean factor describes each of "
              "its purchases. Uncertainty: the factors are log-normal with a common "
              "multiplier, since they rest on the same national mean (Monte Carlo, "
              "{n_sims} draws)."},
    "avoided.assumes": {
        "fi": "Vältetyt päästöt: vähähiilisiksi merkittyjen hankintojen (Hilma "
              "'vähähiilisyys') lähtötaso on pääryhmän keskimääräinen päästö; siitä "
              "vältetään osuus {reduction} (kolmiojakauma, moodi {reduction_mode}) ja "
              "politiikan ansioksi luetaan osuus {additionality} (additionaalisuus, moodi "
              "{additionality_mode}). Luvut ovat oletuksia, eivät mittauksia.",
        "en": "Avoided emissions: the baseline of the purchases flagged low-carbon (Hilma "
              "'low carbon') is the division's average emissions; a share {reduction} of it "
              "is avoided (triangular, mode {reduction_mode}) and a share {additionality} is "
              "credited to the policy (additionality, mode {additionality_mode}). These are "
              "assumptions, not measurements."},
    "carbon.read": {
        "fi": "Näin luet luvut: kokonaispäästö ja sen 95 %:n väli ovat kilotonneja CO2e "
              "vuodessa; keskimääräinen intensiteetti on päästö jaettuna eurolla. "
              "Vertailussa aineiston intensiteetillä lasketaan, mitä julkaistu "
              "hankintavolyymi (28,3 mrd €) tuottaisi, ja verrataan julkaistuun 11 Mt:aan. "
              "Ero kertoo hankintojen rakenteen erosta vuoteen 2015 nähden, koska "
              "kertoimet on skaalattu kansalliseen keskiarvoon. Vältetyt päästöt ovat "
              "oletusten seurausta: ne kertovat suuruusluokan, eivät mitattua vähennystä.",
        "en": "How to read: total emissions and their 95 % interval are kilotonnes CO2e "
              "a year; the mean intensity is emissions per euro. The comparison applies "
              "this data's intensity to the published procurement volume (EUR 28.3 bn) and "
              "sets it against the published 11 Mt. The difference reflects how the "
              "purchase mix differs from 2015, since the factors are scaled to the national "
              "mean. Avoided emissions follow from the assumptions: they give an order of "
              "magnitude, not a measured reduction."},
    "carbon.lead": {
        "fi": "Vuoden {year} hankintojen ({spend} milj. €) menoperusteinen hiilijalanjälki "
              "on {total} kt CO2e (95 %:n väli {low}–{high} kt); keskimääräinen "
              "intensiteetti {intensity} kg CO2e/€ (julkaistu kansallinen {published}).",
        "en": "The spend-based carbon footprint of the procurement of {year} (EUR {spend} "
              "million) is {total} kt CO2e (95 % interval {low}–{high} kt); mean intensity "
              "{intensity} kg CO2e/EUR (published national {published})."},
    "avoided.lead": {
        "fi": "Vähähiilisiksi merkityt hankinnat ({spend} milj. €): lähtötaso {baseline} kt, "
              "vältetyt päästöt {avoided} kt CO2e (95 %:n väli {low}–{high} kt).",
        "en": "Purchases flagged low-carbon (EUR {spend} million): baseline {baseline} kt, "
              "avoided emissions {avoided} kt CO2e (95 % interval {low}–{high} kt)."},
    "carbon.none": {"fi": "vuodelta {year} ei ole sopimusarvoja, joilla on CPV-pääryhmä",
                    "en": "no awarded values with a CPV division for {year}"},
    "avoided.none": {"fi": "ei vähähiilisiksi merkittyjä hankintoja",
                     "en": "no purchases flagged low-carbon"},
    "fig.carbon_title": {"fi": "Päästöt CPV-pääryhmittäin {year} (suurimmat {n})",
                         "en": "Emissions by CPV division, {year} (largest {n})"},
    "fig.carbon_x": {"fi": "kt CO2e", "en": "kt CO2e"},
    "cmp.quantity": {"fi": "Suure", "en": "Quantity"},
    "cmp.this": {"fi": "Tämä aineisto", "en": "These data"},
    "cmp.interval": {"fi": "95 %:n väli", "en": "95 % interval"},
    "cmp.published": {"fi": "Julkaistu (2015)", "en": "Published (2015)"},
    "cmp.intensity": {"fi": "Intensiteetti (kg CO2e/€)", "en": "Intensity (kg CO2e/EUR)"},
    "cmp.national": {"fi": "Kansallinen kokonaispäästö 28,3 mrd €:lle (Mt CO2e)",
                     "en": "National total for EUR 28.3 bn (Mt CO2e)"},
    "cmp.data_total": {"fi": "Aineiston kokonaispäästö (Mt CO2e)",
                       "en": "Total of these data (Mt CO2e)"},
    "cmp.spend": {"fi": "Hankintojen arvo (mrd €)", "en": "Procurement value (EUR bn)"},
    # columns
    "col.aggregation": {"fi": "Kooste", "en": "Aggregation"},
    "col.estimate": {"fi": "Estimaatti", "en": "Estimate"},
    "col.ci": {"fi": "95 %:n väli", "en": "95 % interval"},
    "col.truth": {"fi": "Todellinen (demo)", "en": "True (demo)"},
    "col.covered": {"fi": "Väli sisältää todellisen", "en": "Interval contains true"},
    "col.variant": {"fi": "Menetelmä", "en": "Method"},
    "col.pretest": {"fi": "Esitestin p-arvo", "en": "Pre-test p-value"},
    "col.units": {"fi": "Yksiköitä", "en": "Units"},
    "col.definition": {"fi": "Määritelmä", "en": "Definition"},
    "col.last": {"fi": "Viimeisin havainto", "en": "Latest observed"},
    "col.forecast": {"fi": "Ennuste {target_year}", "en": "Forecast {target_year}"},
    "col.pi": {"fi": "95 %:n ennusteväli", "en": "95 % prediction interval"},
    "col.prob_at": {"fi": "Todennäköisyys {target_year}", "en": "Probability in {target_year}"},
    "col.prob_by": {"fi": "Todennäköisyys viim. {target_year}",
                    "en": "Probability by {target_year}"},
    "col.year_reached": {"fi": "Trendi ylittää tavoitteen", "en": "Trend reaches target"},
    "col.years_used": {"fi": "Vuodet", "en": "Years"},
    "col.quantity": {"fi": "Suure", "en": "Quantity"},
    "col.value": {"fi": "Arvo", "en": "Value"},
    "col.division": {"fi": "CPV-pääryhmä", "en": "CPV division"},
    "col.spend": {"fi": "Arvo (milj. €)", "en": "Value (EUR million)"},
    "col.factor": {"fi": "Kerroin (kg CO2e/€)", "en": "Factor (kg CO2e/EUR)"},
    "col.emissions": {"fi": "Päästöt (kt CO2e)", "en": "Emissions (kt CO2e)"},
    "col.share": {"fi": "Osuus päästöistä", "en": "Share of emissions"},
    "agg.simple": {"fi": "Yksinkertainen", "en": "Simple"},
    "agg.group": {"fi": "Ryhmä", "en": "Group"},
    "agg.dynamic": {"fi": "Dynaaminen", "en": "Dynamic"},
    "agg.calendar": {"fi": "Kalenteri", "en": "Calendar"},
    "sec.appendix": {"fi": "Liite: toistettavuus", "en": "Appendix: reproducibility"},
    "appendix.intro": {
        "fi": "Kaikki, mitä raportin uudelleen tuottamiseen tarvitaan. Samat tiedot "
              "kirjoitetaan tiedostoon impact_metadata.json raportin viereen.",
        "en": "Everything needed to regenerate this report. The same information is "
              "written to impact_metadata.json beside the report."},
    "fig.caption": {"fi": "Lähde: {source}. N = {n} {unit}.",
                    "en": "Source: {source}. N = {n} {unit}."},
    "unit.buyers": {"fi": "hankintayksikköä", "en": "buyers"},
    "unit.lots": {"fi": "osaa", "en": "lots"},
    "unit.awards": {"fi": "sopimusta", "en": "awards"},
}


def text(key: str, lang: str, **values: object) -> str:
    """The impact-report text ``key`` in ``lang`` (``fi`` or ``en``), placeholders filled.

    Raises
    ------
    KeyError
        For an unknown key.
    ValueError
        For a language other than ``fi`` and ``en``.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    template = _TEXTS[key][lang]
    return template.format(**values) if values else template


# -- parameters ------------------------------------------------------------------
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
        ``fi`` or ``en``.
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
        ``fi`` or ``en``.
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


# -- data ------------------------------------------------------------------------
def impact_panel(data: Dataset, outcome: str, programme: str = ALL_PROGRAMMES,
                 year: int | None = None) -> pd.DataFrame:
    """Buyer-by-year panel of ``outcome`` for the programme effect.

    The cohort is the year of a buyer's first programme start (any programme),
    because the effect of participation is counted from the first join. For one
    programme, buyers whose first programme is another one are left out, so the
    treated are the buyers that joined this programme first and the controls
    never joined any. Joins after ``year`` count as not joined, and years after
    ``year`` are dropped.

    Parameters
    ----------
    data : Dataset
        Canonical tables with ``programme_participation``.
    outcome : str
        Outcome indicator id.
    programme : str
        ``"all"`` or a programme name.
    year : int, optional
        Last year of the panel.

    Returns
    -------
    pandas.DataFrame
        :func:`keino_metrics.indicators.buyer_year_panel` rows, sorted by buyer and
        year, with ``first_programme``.
    """
    from keino_metrics.indicators import buyer_year_panel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = buyer_year_panel(data, outcomes=[outcome])
    pp = data.programme_participation.dropna(subset=["buyer_id", "start_date"])
    first = (pp.sort_values(["buyer_id", "start_date", "programme"], kind="stable")
             .drop_duplicates("buyer_id").set_index("buyer_id")["programme"].astype(str))
    panel["first_programme"] = panel["buyer_id"].map(first)
    if programme != ALL_PROGRAMMES:
        other = panel["first_programme"].notna() & (panel["first_programme"] != programme)
        panel = panel[~other]
    if year is not None:
        panel = panel[panel["year"] <= year].copy()
        panel.loc[panel["cohort"] > year, "cohort"] = 0
    return panel.sort_values(["buyer_id", "year"], kind="stable").reset_index(drop=True)


def load_data(data_dir: str | os.PathLike[str] | None, *, seed: int = 2024) -> Dataset:
    """The report's data, as :func:`keino_metrics.report.run.load_data` reads them.

    The import of the annual report's runner is done here, with the progress-bar
    library's notice about missing notebook widgets silenced, so that a notebook
    shows no warning text that depends on the installation.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from keino_metrics.report.run import load_data as _load

    return _load(data_dir, seed=seed)


def _notice_year(data: Dataset) -> pd.Series:
    n = data.notices.drop_duplicates("notice_id").set_index("notice_id")["publication_date"]
    return n.astype("datetime64[us]").dt.year


def _hidden_population(data: Dataset, year: int) -> pd.DataFrame:
    """Lots of notices published in ``year`` with a Hilma 'new to market' answer."""
    h = data.hilma_statistics[["notice_id", "lot_id", "solution_new_to_market"]]
    h = h.dropna(subset=["solution_new_to_market"])
    lots = data.lots[[c for c in ("notice_id", "lot_id", "title", "description")
                      if c in data.lots.columns]]
    df = h.merge(lots, on=["notice_id", "lot_id"], how="inner")
    df = df[df["notice_id"].map(_notice_year(data)) == year]
    df = df.assign(flag=df["solution_new_to_market"].astype(bool))
    truth = data.extra.get("lot_truth")
    if truth is not None and "true_innovative" in truth.columns:
        t = truth[["notice_id", "lot_id", "true_innovative"]].drop_duplicates(
            ["notice_id", "lot_id"])
        df = df.merge(t, on=["notice_id", "lot_id"], how="left")
    return df.sort_values(["notice_id", "lot_id"], kind="stable").reset_index(drop=True)


def _spend(data: Dataset, year: int) -> pd.DataFrame:
    """Awarded values of ``year`` with the lot's CPV code and low-carbon answer."""
    aw = data.awards
    aw = aw[aw["winner_chosen"].fillna(False).astype(bool)
            & aw["awarded_value_eur"].notna()][["notice_id", "lot_id", "awarded_value_eur"]]
    aw = aw[aw["notice_id"].map(_notice_year(data)) == year]
    df = aw.merge(data.lots[["notice_id", "lot_id", "cpv_main"]].drop_duplicates(
        ["notice_id", "lot_id"]), on=["notice_id", "lot_id"], how="left")
    lc = data.hilma_statistics[["notice_id", "lot_id", "low_carbon"]].drop_duplicates(
        ["notice_id", "lot_id"])
    df = df.merge(lc, on=["notice_id", "lot_id"], how="left")
    df["low_carbon"] = df["low_carbon"].fillna(False).astype(bool)
    df["awarded_value_eur"] = df["awarded_value_eur"].astype(float)
    return df.sort_values(["notice_id", "lot_id"], kind="stable").reset_index(drop=True)


# -- computation -----------------------------------------------------------------
def _ci_row(est: float, ci: tuple[float, float], se: float = float("nan")) -> dict[str, float]:
    return {"estimate": float(est), "se": float(se), "ci_low": float(ci[0]),
            "ci_high": float(ci[1])}


def _did(panel: pd.DataFrame, outcome: str, *, control: str, method: str = "dr",
         covariates: list[str] | None = None, n_boot: int, seed: int):
    from keino_metrics.impact import staggered_did

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return staggered_did(panel, outcome, control=control, method=method,
                             covariates=covariates, balance="unbalanced", n_boot=n_boot,
                             seed=seed)


def _effects(panel: pd.DataFrame, outcome: str, control: str, seed: int):
    """Main estimate, robustness variants and event-study rows."""
    from keino_metrics.impact import sun_abraham, twfe

    main = _did(panel, outcome, control=control, n_boot=N_BOOT, seed=seed)
    other = CONTROLS[1] if control == CONTROLS[0] else CONTROLS[0]
    rows: list[dict[str, object]] = []
    notes: dict[str, str] = {}

    def add(variant: str, ctl: str | None, method: str, res) -> None:
        simple = res.aggregate("simple")
        pre = res.pre_test
        rows.append({"variant": variant, "control": ctl, "method": method,
                     **_ci_row(simple.estimate, simple.ci, simple.se),
                     "pretest_p": pre.p_value if pre is not None else float("nan"),
                     "n_units": int(res.n_units)})

    add("main", control, "dr", main)
    variants = [("other_control", other, "dr", None), ("reg", control, "reg", None),
                ("ipw", control, "ipw", None), ("covariate", control, "dr", ["log_size"])]
    for variant, ctl, method, cov in variants:
        try:
            add(variant, ctl, method, _did(panel, outcome, control=ctl, method=method,
                                           covariates=cov, n_boot=N_BOOT_ROBUST, seed=seed))
        except (ValueError, np.linalg.LinAlgError) as exc:
            notes[variant] = str(exc)
    es_rows = []
    dyn = main.aggregate("dynamic").to_frame().reset_index()
    for r in dyn.itertuples():
        es_rows.append({"estimator": "callaway_santanna", "event_time": int(r.event_time),
                        "att": r.att, "ci_low": r.ci_low, "ci_high": r.ci_high,
                        "band_low": r.band_low, "band_high": r.band_high})
    for name, fn in (("twfe", twfe), ("sun_abraham", sun_abraham)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = fn(panel, outcome)
        except (ValueError, np.linalg.LinAlgError) as exc:
            notes[name] = str(exc)
            continue
        rows.append({"variant": name, "control": "never_treated" if name == "sun_abraham"
                     else None, "method": name, **_ci_row(res.estimate, res.ci, res.se),
                     "pretest_p": float("nan"), "n_units": int(res.n_units)})
        for r in res.to_frame().reset_index().itertuples():
            es_rows.append({"estimator": name, "event_time": int(r.event_time), "att": r.att,
                            "ci_low": r.ci_low, "ci_high": r.ci_high,
                            "band_low": float("nan"), "band_high": float("nan")})
    robust = pd.DataFrame(rows)
    event = pd.DataFrame(es_rows).sort_values(["estimator", "event_time"]).reset_index(drop=True)
    return main, robust, event, notes


def _truth(main, outcome: str, years: tuple[int, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Known true aggregates of the demo and true dynamic effects by event time."""
    from keino_metrics import demo

    key = DEMO_TRUTH[outcome]
    sizes = {int(g): int(n) for g, n in main.cohort_sizes.items() if g}
    simple = float(demo.true_aggregate(key, "simple", sizes, years).iloc[0])
    group = demo.true_aggregate(key, "group", sizes, years)
    dynamic = demo.true_aggregate(key, "dynamic", sizes, years)
    calendar = demo.true_aggregate(key, "calendar", sizes, years)
    n = pd.Series(sizes).reindex(group.index).astype(float)
    truth = {"simple": simple,
             "group": float(np.average(group.to_numpy(float), weights=n.to_numpy())),
             "dynamic": float(dynamic[dynamic.index >= 0].mean()),
             "calendar": float(calendar.mean())}
    agg = pd.DataFrame({"aggregation": list(truth), "truth": list(truth.values())})
    dyn = dynamic.rename("truth").rename_axis("event_time").reset_index()
    dyn["event_time"] = dyn["event_time"].astype(int)
    return agg, dyn


def _target(data: Dataset, year: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame,
                                                          dict[str, str]]:
    """Forecast of each candidate definition of the 10 % target."""
    from keino_metrics.impact import track_target
    from keino_metrics.indicators import catalogue, compute

    ids = tuple(catalogue(family=TARGET_FAMILY)["id"].astype(str))
    notes: dict[str, str] = {}
    if year >= TARGET_YEAR:
        return pd.DataFrame(), pd.DataFrame(), {i: "target.after" for i in ids}
    res = compute(list(ids), data, by=["year"]).to_frame().dropna(subset=["year"])
    res = res[res["year"].astype(int) <= year].assign(year=lambda d: d["year"].astype(int))
    summary, forecasts = [], []
    for i in ids:
        d = res[(res["indicator_id"] == i)].dropna(subset=["value", "denominator"])
        cov = d["coverage"].astype(float).fillna(0.0)
        d = d[cov >= MIN_COVERAGE * cov.max()].sort_values("year")
        weighting = str(d["weighting"].iloc[0]) if len(d) else "count"
        if weighting == "count":
            series = pd.DataFrame({"year": d["year"], "numerator": d["numerator"],
                                   "denominator": d["denominator"]})
        else:
            d = d[(d["value"] > 0) & (d["value"] < 1)]
            se = (d["ci_high"] - d["ci_low"]) / (2 * 1.959964)
            series = pd.DataFrame({"year": d["year"], "share": d["value"],
                                   "se": se.fillna(0.0)})
        if len(series) < 3:
            notes[i] = "target.short"
            continue
        target = d["target"].dropna()
        goal = float(target.iloc[0]) if len(target) else 0.10
        tr = track_target(series, target=goal, by_year=TARGET_YEAR, definition=i,
                          n_sims=N_SIMS, seed=seed)
        row = tr.forecast.set_index("year").loc[TARGET_YEAR]
        last = d.iloc[-1]
        summary.append({"indicator_id": i, "weighting": weighting, "target": goal,
                        "first_year": int(series["year"].min()),
                        "last_year": int(last["year"]), "last_value": float(last["value"]),
                        "forecast": float(row["central"]), "pi_low": float(row["pi_low"]),
                        "pi_high": float(row["pi_high"]), "prob_at_year": tr.prob_at_year,
                        "prob_by_year": tr.prob_by_year,
                        "year_reached": tr.year_reached if tr.year_reached is not None
                        else pd.NA})
        forecasts.append(tr.to_frame().assign(indicator_id=i))
    last = res[(res["year"] == year) & (res["weighting"] == "count")]["denominator"]
    notes["_lots"] = str(int(last.max())) if len(last.dropna()) else "0"
    summary_df = pd.DataFrame(summary)
    if len(summary_df):
        summary_df["year_reached"] = summary_df["year_reached"].astype("Int64")
    fc = (pd.concat(forecasts, ignore_index=True) if forecasts else pd.DataFrame())
    if len(fc):
        fc = fc[["indicator_id", *[c for c in fc.columns if c != "indicator_id"]]]
    return summary_df, fc, notes


def _audit(data: Dataset, pop: pd.DataFrame, seed: int, demo: bool) -> pd.Series | None:
    """True labels of an audited sample of ``pop`` (NaN elsewhere), or ``None``.

    A user's audit table ``data.extra["hidden_volume_audit"]`` (``notice_id``,
    ``lot_id``, ``true_innovative``: lots whose novelty was checked by hand)
    is used when present. On demonstration data the audit is simulated: the
    true labels of :data:`HIDDEN_AUDIT` randomly drawn lots are revealed, as a
    manual review of that many notices would reveal them.
    """
    table = data.extra.get("hidden_volume_audit")
    if table is not None and {"notice_id", "lot_id", "true_innovative"} <= set(table.columns):
        t = table[["notice_id", "lot_id", "true_innovative"]].drop_duplicates(
            ["notice_id", "lot_id"]).rename(columns={"true_innovative": "audited"})
        labels = pop[["notice_id", "lot_id"]].merge(t, on=["notice_id", "lot_id"],
                                                    how="left")["audited"]
        return labels.astype("Float64") if labels.notna().any() else None
    if demo and "true_innovative" in pop.columns and pop["true_innovative"].notna().all():
        rng = np.random.default_rng(seed)
        take = rng.choice(len(pop), size=min(HIDDEN_AUDIT, len(pop)), replace=False)
        labels = pd.Series(np.nan, index=pop.index, dtype="Float64")
        labels.iloc[take] = pop["true_innovative"].astype(float).iloc[take].to_numpy()
        return labels
    return None


def _hidden(data: Dataset, year: int, seed: int, demo: bool) -> tuple[pd.DataFrame, str | None]:
    """Hidden-volume estimate of the year's lots.

    With an audit sample (true labels of some lots) the classifier is trained on
    the audited lots with the reported flag as a further feature, and the
    Rogan-Gladen correction uses its cross-validated sensitivity and
    specificity (``validation`` mode). Without one, the flags-only (``pu``)
    estimator is fitted on a seeded sample of the year's lots.
    """
    from keino_metrics.impact import HiddenVolumeEstimator, lot_texts

    pop = _hidden_population(data, year)
    if len(pop) == 0:
        return pd.DataFrame(), "hidden.none"
    truth = (float(pop["true_innovative"].astype(float).mean())
             if demo and "true_innovative" in pop.columns
             and pop["true_innovative"].notna().all() else float("nan"))
    audit = _audit(data, pop, seed, demo)
    texts = pd.DataFrame({"text": lot_texts(pop), "flag": pop["flag"].astype(float)})
    if audit is not None:
        est = HiddenVolumeEstimator(mode="validation", n_boot=N_BOOT_ROBUST, random_state=seed)
        audited = audit.notna().to_numpy()
        labels = audit[audited].astype(bool)
        if min(int(labels.sum()), int((~labels).sum())) < 2 * est.cv:
            return pd.DataFrame(), "hidden.none"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(texts[audited], labels)
            res = est.estimate(texts, flags=pop["flag"])
        n_sample, method = int(audited.sum()), "audit"
    else:
        est = HiddenVolumeEstimator(mode="pu", n_boot=N_BOOT_ROBUST, random_state=seed)
        if min(int(pop["flag"].sum()), int((~pop["flag"]).sum())) < 4 * est.cv:
            return pd.DataFrame(), "hidden.none"
        rng = np.random.default_rng(seed)
        take = np.sort(rng.choice(len(pop), size=min(HIDDEN_SAMPLE, len(pop)), replace=False))
        sample = pop.iloc[take].reset_index(drop=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = est.fit(lot_texts(sample), sample["flag"]).estimate()
        n_sample, method = len(sample), "pu"
    row = {"method": method, "flagged_share": float(pop["flag"].mean()),
           "estimate": res.estimate, "ci_low": res.ci[0], "ci_high": res.ci[1],
           "label_frequency": res.label_frequency, "sensitivity": res.sensitivity,
           "specificity": res.specificity, "auc": est.auc_, "true_share": truth,
           "n_sample": n_sample, "n_population": len(pop)}
    return pd.DataFrame([row]), None


def _carbon(data: Dataset, year: int, seed: int):
    from keino_metrics.impact import avoided_emissions, spend_based_emissions

    spend = _spend(data, year)
    notes: dict[str, str] = {}
    try:
        co2 = spend_based_emissions(spend, value="awarded_value_eur", cpv="cpv_main",
                                    n_sims=N_SIMS, seed=seed)
    except ValueError:
        return None, None, {"carbon": "carbon.none"}, len(spend)
    avoided = None
    if spend["low_carbon"].any():
        try:
            avoided = avoided_emissions(spend, flag="low_carbon", value="awarded_value_eur",
                                        cpv="cpv_main", n_sims=N_SIMS, seed=seed)
        except ValueError:
            notes["avoided"] = "avoided.none"
    else:
        notes["avoided"] = "avoided.none"
    return co2, avoided, notes, len(spend)


# -- content ---------------------------------------------------------------------
@dataclass(frozen=True)
class ImpactContent:
    """Every number of the impact report, computed once by :func:`compute_impact`.

    Attributes
    ----------
    year, first_year : int
        Report year and first year of the panel.
    outcome, programme, control : str
        Outcome indicator id, programme (``"all"`` or a name) and control group.
    seed : int
        Seed of every bootstrap and simulation.
    demo : bool
        Whether the data are generated demonstration data (provenance).
    has_truth : bool
        Whether a known true effect applies (demo data and a demo outcome).
    aggregates : pandas.DataFrame
        Main Callaway-Sant'Anna aggregations: ``aggregation``, ``estimate``,
        ``se``, ``ci_low``, ``ci_high`` and, on demo data, ``truth`` and ``covered``.
    pretest : Mapping
        ``statistic``, ``df``, ``p_value`` of the parallel-trends pre-test (empty
        when there is none).
    att_gt : pandas.DataFrame
        Group-time effects of the main estimate.
    cohort_sizes : Mapping
        Buyers per cohort (0 = never) in the main estimate.
    robustness : pandas.DataFrame
        One row per variant: ``variant``, ``control``, ``method``, ``estimate``,
        ``se``, ``ci_low``, ``ci_high``, ``pretest_p``, ``n_units``.
    event_study : pandas.DataFrame
        Effects by ``estimator`` and ``event_time`` (``truth`` on demo data).
    target : pandas.DataFrame
        One row per candidate definition of the 10 % target.
    target_forecast : pandas.DataFrame
        Yearly observed and forecast shares of each definition.
    hidden : pandas.DataFrame
        One row: flagged share, estimate and interval, flagging probability, AUC,
        true share (demo), sample and population sizes.
    carbon : CarbonResult or None
        Spend-based emissions of the report year.
    avoided : AvoidedEmissionsResult or None
        Avoided emissions of the low-carbon purchases.
    notes : Mapping
        Parts not computed, by name, with the text key of the reason (or a message).
    counts : Mapping
        Sizes for the figure captions: ``target_lots`` (lots behind the count-based
        target definitions in the report year) and ``carbon_awards`` (awards with a
        value in the report year).
    """

    year: int
    first_year: int
    outcome: str
    programme: str
    control: str
    seed: int
    demo: bool
    has_truth: bool
    aggregates: pd.DataFrame = field(repr=False)
    pretest: Mapping[str, float] = field(repr=False)
    att_gt: pd.DataFrame = field(repr=False)
    cohort_sizes: Mapping[int, int] = field(repr=False)
    robustness: pd.DataFrame = field(repr=False)
    event_study: pd.DataFrame = field(repr=False)
    target: pd.DataFrame = field(repr=False)
    target_forecast: pd.DataFrame = field(repr=False)
    hidden: pd.DataFrame = field(repr=False)
    carbon: object = field(repr=False)
    avoided: object = field(repr=False)
    notes: Mapping[str, str] = field(repr=False)
    counts: Mapping[str, int] = field(repr=False, default_factory=dict)

    # -- derived numbers -------------------------------------------------------
    @property
    def n_units(self) -> int:
        """Buyers in the main estimate."""
        return int(sum(self.cohort_sizes.values()))

    @property
    def n_treated(self) -> int:
        """Participating buyers in the main estimate."""
        return int(sum(n for g, n in self.cohort_sizes.items() if g))

    def main(self) -> pd.Series:
        """The ``simple`` aggregation row of the main estimate."""
        return self.aggregates.set_index("aggregation").loc["simple"]

    def source(self, lang: str) -> str:
        """Description of the data source in ``lang``."""
        return text("source_demo" if self.demo else "source_files", lang)

    def programme_label(self, lang: str) -> str:
        """The programme parameter as text."""
        return text("all_programmes", lang) if self.programme == ALL_PROGRAMMES \
            else self.programme

    def tables(self) -> dict[str, pd.DataFrame]:
        """Machine-readable tables (language-neutral columns), by file stem."""
        out = {"impact_effect": self.aggregates, "impact_att_gt": self.att_gt,
               "impact_robustness": self.robustness, "impact_event_study": self.event_study,
               "impact_target": self.target, "impact_target_forecast": self.target_forecast,
               "impact_hidden": self.hidden}
        if self.carbon is not None:
            div = self.carbon.to_frame().reset_index()
            out["impact_carbon_by_division"] = div
            out["impact_carbon_comparison"] = self.carbon.compare_published()
        if self.avoided is not None:
            out["impact_avoided_by_division"] = self.avoided.to_frame().reset_index()
        return {k: _rounded(v) for k, v in out.items()}

    def figures(self, lang: str) -> dict[str, Figure]:
        """The report's figures in ``lang``, by file stem."""
        out = {"impact_event_study": _event_figure(self, lang),
               "impact_robustness": _robust_figure(self, lang)}
        if len(self.target_forecast):
            out["impact_target"] = _target_figure(self, lang)
        if len(self.hidden):
            out["impact_hidden_volume"] = _hidden_figure(self, lang)
        if self.carbon is not None:
            out["impact_carbon"] = _carbon_figure(self, lang)
        return out


def _rounded(frame: pd.DataFrame, digits: int = 6) -> pd.DataFrame:
    df = frame.copy()
    for c in df.columns:
        if pd.api.types.is_float_dtype(df[c]):
            df[c] = df[c].round(digits)
    return df.reset_index(drop=True)


def compute_impact(data: Dataset, year: int, *, outcome: str = DEFAULT_OUTCOME,
                   programme: str = ALL_PROGRAMMES, control: str = "never_treated",
                   seed: int = 2024) -> ImpactContent:
    """Compute every number of the impact report.

    Parameters
    ----------
    data : Dataset
        Canonical tables (demo or real).
    year : int
        Report year: last year of the panel and year of the hidden-volume and
        carbon sections.
    outcome, programme, control, seed
        As in :func:`validate_impact_params` (not checked again here).

    Returns
    -------
    ImpactContent
    """
    demo = metadata.is_demo(data)
    panel = impact_panel(data, outcome, programme, year)
    if not (panel["cohort"] > 0).any():
        raise ValueError(f"no buyer joined {programme!r} by {year}: there is no programme "
                         "effect to estimate")
    years = (int(panel["year"].min()), int(panel["year"].max()))
    main, robust, event, notes = _effects(panel, outcome, control, seed)
    aggs = pd.DataFrame([{"aggregation": k, **_ci_row(a.estimate, a.ci, a.se)}
                         for k, a in main.aggregates.items()])
    has_truth = demo and outcome in DEMO_TRUTH
    if has_truth:
        truth_agg, truth_dyn = _truth(main, outcome, years)
        aggs = aggs.merge(truth_agg, on="aggregation", how="left")
        aggs["covered"] = (aggs["ci_low"] <= aggs["truth"]) & (aggs["truth"] <= aggs["ci_high"])
        event = event.merge(truth_dyn, on="event_time", how="left")
        simple_truth = float(truth_agg.set_index("aggregation").loc["simple", "truth"])
        robust["truth"] = simple_truth
        robust["covered"] = (robust["ci_low"] <= simple_truth) & (simple_truth
                                                                  <= robust["ci_high"])
    pre = main.pre_test
    pretest = MappingProxyType({} if pre is None else {
        "statistic": float(pre.statistic), "df": int(pre.df), "p_value": float(pre.p_value)})
    target, forecast, t_notes = _target(data, year, seed)
    hidden, h_note = _hidden(data, year, seed, demo)
    co2, avoided, c_notes, n_awards = _carbon(data, year, seed)
    counts = {"target_lots": int(t_notes.pop("_lots", "0")), "carbon_awards": int(n_awards)}
    notes = {**notes, **{f"target:{k}": v for k, v in t_notes.items()}, **c_notes}
    if h_note:
        notes["hidden"] = h_note
    return ImpactContent(
        year=int(year), first_year=years[0], outcome=outcome, programme=programme,
        control=control, seed=int(seed), demo=demo, has_truth=has_truth,
        aggregates=aggs, pretest=pretest, att_gt=main.to_frame(),
        cohort_sizes=MappingProxyType(dict(main.cohort_sizes)), robustness=robust,
        event_study=event, target=target, target_forecast=forecast, hidden=hidden,
        carbon=co2, avoided=avoided, notes=MappingProxyType(dict(sorted(notes.items()))),
        counts=MappingProxyType(counts))


# -- formatting ------------------------------------------------------------------
def _pp(value: float, lang: str, decimals: int = 2) -> str:
    if value is None or not np.isfinite(value):
        return numbers.MISSING
    return f"{numbers.number(100 * value, lang, decimals)} {text('pp', lang)}"


def _pp_ci(low: float, high: float, lang: str) -> str:
    return f"{_pp(low, lang)} – {_pp(high, lang)}"


def _pct(value: float, lang: str, decimals: int = 1) -> str:
    return numbers.percent(value, lang, decimals)


def _yes_no(value: object, lang: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return numbers.MISSING
    return text("yes" if bool(value) else "no", lang)


def _outcome_name(outcome: str, lang: str) -> str:
    from keino_metrics.report.content import indicator_names

    return indicator_names(lang, (outcome,))[outcome]


def _p(body: str, cls: str | None = None) -> str:
    # a value in percentage points may end a Finnish sentence ("... 2,4 %-yks.")
    return render.paragraph(body.replace("%-yks..", "%-yks."), cls)


def _caption(lang: str, content: ImpactContent, n: int, unit: str) -> str:
    return text("fig.caption", lang, source=content.source(lang), n=numbers.number(n, lang),
                unit=text(f"unit.{unit}", lang))


def _section(key: str, content: ImpactContent, lang: str) -> list[str]:
    parts = [render.heading(text(f"sec.{key}", lang))]
    if content.demo:
        parts.append(render.banner(lang))
    return parts


def _variant_label(row: Mapping[str, object], lang: str) -> str:
    ctl = row.get("control")
    ctl_text = text(f"control.{ctl}", lang) if isinstance(ctl, str) else ""
    return text(f"variant.{row['variant']}", lang, control=ctl_text)


def _notes_html(content: ImpactContent, prefix: str, lang: str, **values: object) -> list[str]:
    out = []
    for name, reason in content.notes.items():
        if name == prefix or name.startswith(prefix + ":"):
            why = text(reason, lang, **values) if reason in _TEXTS else reason
            label = name.split(":", 1)[1] + ": " if ":" in name else ""
            out.append(_p(text("skipped", lang, reason=label + why)))
    return out


# -- HTML sections ---------------------------------------------------------------
def title_html(content: ImpactContent, lang: str) -> str:
    """Title, subtitle, data line, reading guide and the demo banner."""
    parts = [render.STYLE, render.heading(text("title", lang, year=content.year), 1),
             _p(text("subtitle", lang, first_year=content.first_year, year=content.year),
                "keino-lead"),
             _p(text("data_line", lang, source=content.source(lang), outcome=content.outcome,
                     outcome_name=_outcome_name(content.outcome, lang),
                     programme=content.programme_label(lang),
                     control=text(f"control.{content.control}", lang), year=content.year,
                     seed=content.seed))]
    if content.demo:
        parts.append(render.banner(lang))
    parts.append(_p(text("how_to_read", lang)))
    return "\n".join(parts)


def effect_html(content: ImpactContent, lang: str) -> str:
    """Section 1: method, main estimate, truth, aggregations and the pre-test."""
    m = content.main()
    parts = _section("effect", content, lang)
    parts.append(_p(text("effect.assumes", lang)))
    parts.append(_p(text("effect.lead", lang, estimate=_pp(m["estimate"], lang),
                         ci=_pp_ci(m["ci_low"], m["ci_high"], lang),
                         n_treated=numbers.number(content.n_treated, lang),
                         n_control=numbers.number(content.n_units - content.n_treated, lang),
                         n_units=numbers.number(content.n_units, lang)), "keino-lead"))
    if content.has_truth:
        parts.append(_p(text("effect.truth", lang, truth=_pp(m["truth"], lang),
                             covers=text("covers" if m["covered"] else "misses", lang))))
    elif content.demo:
        parts.append(_p(text("effect.no_truth", lang)))
    rows = []
    for r in content.aggregates.to_dict("records"):
        rec = {text("col.aggregation", lang): text(f"agg.{r['aggregation']}", lang),
               text("col.estimate", lang): _pp(r["estimate"], lang),
               text("col.ci", lang): _pp_ci(r["ci_low"], r["ci_high"], lang)}
        if content.has_truth:
            rec[text("col.truth", lang)] = _pp(r["truth"], lang)
            rec[text("col.covered", lang)] = _yes_no(r["covered"], lang)
        rows.append(rec)
    parts.append(tables.html_table(pd.DataFrame(rows)))
    pt = content.pretest
    parts.append(_p(text("pretest.lead", lang, w=numbers.number(pt["statistic"], lang, 2),
                         df=pt["df"], p=numbers.number(pt["p_value"], lang, 3))
                    if pt else text("pretest.none", lang)))
    parts.append(_p(text("effect.read", lang)))
    return "\n".join(parts)


def robustness_html(content: ImpactContent, lang: str) -> str:
    """Section 2: the variants, their table and the TWFE bias."""
    parts = _section("robustness", content, lang)
    parts.append(_p(text("robust.assumes", lang)))
    rows = []
    for r in content.robustness.to_dict("records"):
        rec = {text("col.variant", lang): _variant_label(r, lang),
               text("col.estimate", lang): _pp(r["estimate"], lang),
               text("col.ci", lang): _pp_ci(r["ci_low"], r["ci_high"], lang),
               text("col.pretest", lang): numbers.number(r["pretest_p"], lang, 3),
               text("col.units", lang): numbers.number(r["n_units"], lang)}
        if content.has_truth:
            rec[text("col.truth", lang)] = _pp(r["truth"], lang)
            rec[text("col.covered", lang)] = _yes_no(r["covered"], lang)
        rows.append(rec)
    parts.append(tables.html_table(pd.DataFrame(rows)))
    parts.extend(_notes_html(content, "other_control", lang))
    for name in ("reg", "ipw", "covariate", "twfe", "sun_abraham"):
        parts.extend(_notes_html(content, name, lang))
    rob = content.robustness.set_index("variant")
    if "twfe" in rob.index:
        tw = float(rob.loc["twfe", "estimate"])
        diff = _pp(tw - float(content.main()["estimate"]), lang)
        truth_part = (text("robust.twfe_truth", lang,
                           diff=_pp(tw - float(content.main()["truth"]), lang))
                      if content.has_truth else "")
        parts.append(_p(text("robust.twfe_bias", lang, diff=diff, truth_part=truth_part)))
    parts.append(_p(text("robust.read", lang)))
    return "\n".join(parts)


def target_html(content: ImpactContent, lang: str) -> str:
    """Section 3: trajectory of each candidate definition of the 10 % target."""
    from keino_metrics.report.content import indicator_names

    parts = _section("target", content, lang)
    parts.append(_p(text("target.assumes", lang, target_year=TARGET_YEAR,
                         min_cov=_pct(MIN_COVERAGE, lang, 0))))
    if len(content.target):
        names = indicator_names(lang, tuple(content.target["indicator_id"]))
        rows = []
        for r in content.target.to_dict("records"):
            reached = r["year_reached"]
            rows.append({
                text("col.definition", lang): f"{names[r['indicator_id']]} ({r['indicator_id']})",
                text("col.years_used", lang): f"{r['first_year']}–{r['last_year']}",
                text("col.last", lang): f"{_pct(r['last_value'], lang)} ({r['last_year']})",
                text("col.forecast", lang, target_year=TARGET_YEAR): _pct(r["forecast"], lang),
                text("col.pi", lang): f"{_pct(r['pi_low'], lang)} – {_pct(r['pi_high'], lang)}",
                text("col.prob_at", lang, target_year=TARGET_YEAR): _pct(r["prob_at_year"],
                                                                         lang, 0),
                text("col.prob_by", lang, target_year=TARGET_YEAR): _pct(r["prob_by_year"],
                                                                         lang, 0),
                text("col.year_reached", lang): text("not_reached", lang)
                if reached is pd.NA or reached is None else str(int(reached)),
            })
        parts.append(tables.html_table(pd.DataFrame(rows)))
    parts.extend(_notes_html(content, "target", lang))
    parts.append(_p(text("target.read", lang, target_year=TARGET_YEAR)))
    return "\n".join(parts)


def hidden_html(content: ImpactContent, lang: str) -> str:
    """Section 4: classifier-based estimate against the flagged share (and the truth)."""
    parts = _section("hidden", content, lang)
    if not len(content.hidden):
        parts.extend(_notes_html(content, "hidden", lang, year=content.year))
        return "\n".join(parts)
    h = content.hidden.iloc[0]
    audit = h["method"] == "audit"
    parts.append(_p(text("hidden.assumes_audit" if audit else "hidden.assumes", lang,
                         n=numbers.number(h["n_sample"], lang), year=content.year)))
    rows = [(text("row.flagged", lang), _pct(h["flagged_share"], lang)),
            (text("row.estimate", lang),
             f"{_pct(h['estimate'], lang)} ({_pct(h['ci_low'], lang)} – "
             f"{_pct(h['ci_high'], lang)})")]
    if audit:
        rows += [(text("row.sensitivity", lang), numbers.number(h["sensitivity"], lang, 3)),
                 (text("row.specificity", lang), numbers.number(h["specificity"], lang, 3))]
    else:
        rows.append((text("row.label_frequency", lang), _pct(h["label_frequency"], lang)))
    rows += [(text("row.auc", lang), numbers.number(h["auc"], lang, 3)),
            (text("row.lots", lang), f"{numbers.number(h['n_sample'], lang)} / "
                                     f"{numbers.number(h['n_population'], lang)}")]
    truth = float(h["true_share"])
    if np.isfinite(truth):
        rows.insert(2, (text("row.truth", lang), _pct(truth, lang)))
    parts.append(tables.html_table(pd.DataFrame(rows, columns=[text("col.quantity", lang),
                                                               text("col.value", lang)])))
    auc = numbers.number(h["auc"], lang, 3)
    parts.append(_p(text("hidden.informative" if h["auc"] >= MIN_AUC
                         else "hidden.uninformative", lang, auc=auc), "keino-lead"))
    if np.isfinite(truth):
        covered = h["ci_low"] <= truth <= h["ci_high"]
        parts.append(_p(text("hidden.truth", lang, truth=_pct(truth, lang),
                             covers=text("covers" if covered else "misses", lang))))
    parts.append(_p(text("hidden.read", lang, min_auc=numbers.number(MIN_AUC, lang, 2))))
    return "\n".join(parts)


def carbon_html(content: ImpactContent, lang: str) -> str:
    """Section 5: spend-based emissions, the published comparison and avoided emissions."""
    parts = _section("carbon", content, lang)
    parts.append(_p(text("carbon.assumes", lang, year=content.year,
                         n_sims=numbers.number(N_SIMS, lang))))
    c = content.carbon
    if c is None:
        parts.extend(_notes_html(content, "carbon", lang, year=content.year))
        return "\n".join(parts)
    from keino_metrics.impact.carbon import PUBLISHED_FI_CO2

    published = 1000 * float(PUBLISHED_FI_CO2["emissions_t"]) / float(
        PUBLISHED_FI_CO2["spend_eur"])
    kt = lambda v: numbers.number(v / 1000, lang, 1)  # noqa: E731
    parts.append(_p(text("carbon.lead", lang, year=content.year,
                         spend=numbers.eur_million(c.spend_eur, lang),
                         total=kt(c.total_t), low=kt(c.total_low_t), high=kt(c.total_high_t),
                         intensity=numbers.number(c.intensity_kg_per_eur, lang, 3),
                         published=numbers.number(published, lang, 3)), "keino-lead"))
    cmp = c.compare_published().set_index("quantity")
    nat = cmp.loc["national_total_t"]
    inten = cmp.loc["intensity_kg_per_eur"]
    mt = lambda v: numbers.number(v / 1e6, lang, 2)  # noqa: E731
    rows = [
        (text("cmp.spend", lang), numbers.number(c.spend_eur / 1e9, lang, 2), numbers.MISSING,
         numbers.number(float(PUBLISHED_FI_CO2["spend_eur"]) / 1e9, lang, 1)),
        (text("cmp.data_total", lang), mt(c.total_t), f"{mt(c.total_low_t)} – "
         f"{mt(c.total_high_t)}", numbers.number(float(PUBLISHED_FI_CO2["emissions_t"]) / 1e6,
                                                 lang, 1)),
        (text("cmp.intensity", lang), numbers.number(inten["this_result"], lang, 3),
         f"{numbers.number(inten['low'], lang, 3)} – {numbers.number(inten['high'], lang, 3)}",
         numbers.number(inten["published"], lang, 3)),
        (text("cmp.national", lang), mt(nat["this_result"]),
         f"{mt(nat['low'])} – {mt(nat['high'])}", mt(nat["published"])),
    ]
    parts.append(tables.html_table(pd.DataFrame(rows, columns=[
        text("cmp.quantity", lang), text("cmp.this", lang), text("cmp.interval", lang),
        text("cmp.published", lang)])))
    div = c.to_frame().sort_values("emissions_t", ascending=False).head(12)
    label = div["label_en"] if "label_en" in div.columns else pd.Series("", index=div.index)
    parts.append(tables.html_table(pd.DataFrame({
        text("col.division", lang): [f"{d} {lab}".strip() for d, lab in zip(div.index, label,
                                                                         strict=True)],
        text("col.spend", lang): [numbers.eur_million(v, lang) for v in div["spend_eur"]],
        text("col.factor", lang): [numbers.number(v, lang, 3) for v in div["factor_kg_per_eur"]],
        text("col.emissions", lang): [f"{kt(v)} ({kt(lo)} – {kt(hi)})" for v, lo, hi in
                                      zip(div["emissions_t"], div["low_t"], div["high_t"],
                                          strict=True)],
        text("col.share", lang): [_pct(v, lang) for v in div["share"]],
    })))
    a = content.avoided
    if a is not None:
        asm = a.assumptions
        rng_txt = lambda s: f"{_pct(s[0], lang, 0)}–{_pct(s[2], lang, 0)}"  # noqa: E731
        parts.append(_p(text("avoided.assumes", lang, reduction=rng_txt(asm["reduction"]),
                             reduction_mode=_pct(asm["reduction"][1], lang, 0),
                             additionality=rng_txt(asm["additionality"]),
                             additionality_mode=_pct(asm["additionality"][1], lang, 0))))
        parts.append(_p(text("avoided.lead", lang,
                             spend=numbers.eur_million(float(a.to_frame()["spend_eur"].sum()),
                                                       lang),
                             baseline=kt(a.baseline_t), avoided=kt(a.avoided_t),
                             low=kt(a.low_t), high=kt(a.high_t)), "keino-lead"))
    parts.extend(_notes_html(content, "avoided", lang, year=content.year))
    parts.append(_p(text("carbon.read", lang)))
    return "\n".join(parts)


def appendix_html(meta: Mapping[str, object], lang: str) -> str:
    """The reproducibility appendix (parameters, inputs, environment)."""
    return "\n".join([render.heading(text("sec.appendix", lang)),
                      _p(text("appendix.intro", lang)), render.metadata_block(meta, lang)])


# -- figures ---------------------------------------------------------------------
_EST_STYLE = {"callaway_santanna": ("C0", "o", "Callaway & Sant'Anna", 0.0),
              "sun_abraham": ("C1", "s", "Sun & Abraham", 0.18),
              "twfe": ("C3", "^", "TWFE", -0.18)}


def _finish(fig: Figure, content: ImpactContent, lang: str, title: str, n: int,
            unit: str) -> Figure:
    return figures._finish(fig, title=title, caption_text=_caption(lang, content, n, unit),
                           demo=content.demo, lang=lang)


def _pp_axis(ax, lang: str) -> None:
    ax.yaxis.set_major_formatter(numbers.tick_formatter(lang, kind="number", decimals=1))


def _event_figure(content: ImpactContent, lang: str) -> Figure:
    ev = content.event_study
    with figures.style():
        fig = Figure(figsize=(9, 4.6))
        ax = fig.subplots()
        cs = ev[ev["estimator"] == "callaway_santanna"].sort_values("event_time")
        x = cs["event_time"].to_numpy(float)
        ax.fill_between(x, 100 * cs["band_low"], 100 * cs["band_high"], color="C0", alpha=0.15,
                        linewidth=0, label=text("fig.band", lang))
        for name in ("callaway_santanna", "sun_abraham", "twfe"):
            d = ev[ev["estimator"] == name].sort_values("event_time")
            if d.empty:
                continue
            color, marker, label, shift = _EST_STYLE[name]
            y = 100 * d["att"].to_numpy(float)
            err = np.vstack([y - 100 * d["ci_low"].to_numpy(float),
                             100 * d["ci_high"].to_numpy(float) - y])
            ax.errorbar(d["event_time"].to_numpy(float) + shift, y, yerr=np.abs(err),
                        fmt=marker, color=color, capsize=2, markersize=5, label=label)
        if content.has_truth and "truth" in ev.columns:
            tr = cs.dropna(subset=["truth"])
            ax.step(tr["event_time"], 100 * tr["truth"], where="mid", color="black",
                    linestyle="--", linewidth=1.2, label=text("fig.truth", lang))
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.axvline(-0.5, color="grey", linestyle=":", linewidth=1)
        ticks = sorted(ev["event_time"].astype(int).unique())
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.set_xlabel(text("fig.event_x", lang))
        ax.set_ylabel(text("fig.effect_y", lang))
        _pp_axis(ax, lang)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        return _finish(fig, content, lang, text("fig.event_title", lang,
                                                outcome=content.outcome),
                       content.n_units, "buyers")


def _robust_figure(content: ImpactContent, lang: str) -> Figure:
    rob = content.robustness.iloc[::-1].reset_index(drop=True)
    with figures.style():
        fig = Figure(figsize=(9, 0.45 * len(rob) + 1.8))
        ax = fig.subplots()
        y = np.arange(len(rob))
        est = 100 * rob["estimate"].to_numpy(float)
        err = np.vstack([est - 100 * rob["ci_low"].to_numpy(float),
                         100 * rob["ci_high"].to_numpy(float) - est])
        ax.errorbar(est, y, xerr=np.abs(err), fmt="o", color="C0", capsize=3)
        ax.set_yticks(y, [_variant_label(r, lang) for r in rob.to_dict("records")])
        ax.axvline(0, color="#333333", linewidth=0.8)
        if content.has_truth:
            ax.axvline(100 * float(content.main()["truth"]), color="black", linestyle="--",
                       label=text("fig.truth", lang))
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.set_xlabel(text("fig.effect_y", lang))
        ax.xaxis.set_major_formatter(numbers.tick_formatter(lang, kind="number", decimals=1))
        ax.grid(axis="y", visible=False)
        return _finish(fig, content, lang, text("fig.robust_title", lang,
                                                outcome=content.outcome),
                       content.n_units, "buyers")


def _target_figure(content: ImpactContent, lang: str) -> Figure:
    fc = content.target_forecast
    ids = list(content.target["indicator_id"])
    ncols = 2
    nrows = int(np.ceil(len(ids) / ncols))
    with figures.style():
        fig = Figure(figsize=(10, 2.6 * nrows + 1.2))
        axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True)).ravel()
        for ax, i in zip(axes, ids, strict=False):
            d = fc[fc["indicator_id"] == i].sort_values("year")
            goal = float(content.target.set_index("indicator_id").loc[i, "target"])
            ax.fill_between(d["year"], d["pi_low"], d["pi_high"], color="C0", alpha=0.2,
                            linewidth=0, label=text("fig.trend", lang))
            ax.plot(d["year"], d["central"], color="C0")
            ax.plot(d["year"], d["observed"], "o", color="C1", markersize=4,
                    label=text("fig.observed", lang))
            ax.axhline(goal, color="C3", linestyle="--", linewidth=1.2,
                       label=text("fig.target", lang))
            ax.set_title(i, fontsize=9)
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_formatter(numbers.tick_formatter(lang, kind="percent"))
        for ax in axes[len(ids):]:
            ax.set_axis_off()
        handles, labels = axes[0].get_legend_handles_labels()
        if len(axes) > len(ids):
            axes[len(ids)].legend(handles, labels, loc="center")
        else:
            axes[0].legend(handles, labels, loc="best", fontsize=8)
        return _finish(fig, content, lang, text("fig.target_title", lang,
                                                target_year=TARGET_YEAR),
                       content.counts.get("target_lots", 0), "lots")


def _hidden_figure(content: ImpactContent, lang: str) -> Figure:
    h = content.hidden.iloc[0]
    labels = [text("row.flagged", lang), text("row.estimate", lang)]
    values = [float(h["flagged_share"]), float(h["estimate"])]
    colors = ["grey", "C2"]
    if np.isfinite(float(h["true_share"])):
        labels.append(text("row.truth", lang))
        values.append(float(h["true_share"]))
        colors.append("black")
    with figures.style():
        fig = Figure(figsize=(7, 4.2))
        ax = fig.subplots()
        x = np.arange(len(values))
        ax.bar(x, values, color=colors, width=0.6)
        ax.errorbar([1], [values[1]], yerr=[[max(values[1] - float(h["ci_low"]), 0)],
                                            [max(float(h["ci_high"]) - values[1], 0)]],
                    color="black", capsize=5)
        ax.set_xticks(x, labels)
        ax.set_ylabel(text("fig.share_y", lang))
        ax.set_ylim(0, 1.05 * max(1e-3, float(h["ci_high"]), *values))
        ax.yaxis.set_major_formatter(numbers.tick_formatter(lang, kind="percent"))
        ax.grid(axis="x", visible=False)
        return _finish(fig, content, lang, text("fig.hidden_title", lang, year=content.year),
                       int(h["n_population"]), "lots")


def _carbon_figure(content: ImpactContent, lang: str, top: int = 12) -> Figure:
    div = content.carbon.to_frame().sort_values("emissions_t").tail(top)
    with figures.style():
        fig = Figure(figsize=(9, 0.38 * len(div) + 1.8))
        ax = fig.subplots()
        y = np.arange(len(div))
        est = div["emissions_t"].to_numpy(float) / 1000
        ax.barh(y, est, color="C0")
        ax.errorbar(est, y, xerr=np.abs(np.vstack([est - div["low_t"].to_numpy(float) / 1000,
                                                   div["high_t"].to_numpy(float) / 1000 - est])),
                    fmt="none", color="black", capsize=2)
        label = div["label_en"] if "label_en" in div.columns else pd.Series("", index=div.index)
        ax.set_yticks(y, [f"{d} {str(lab)[:40]}".strip() for d, lab in zip(div.index, label,
                                                                             strict=True)])
        ax.set_xlabel(text("fig.carbon_x", lang))
        ax.xaxis.set_major_formatter(numbers.tick_formatter(lang))
        ax.grid(axis="y", visible=False)
        return _finish(fig, content, lang, text("fig.carbon_title", lang, year=content.year,
                                                n=len(div)),
                       content.counts.get("carbon_awards", 0), "awards")


# -- metadata and build ----------------------------------------------------------
def collect_metadata(p: ImpactParams, languages: Iterable[str], data: Dataset) -> dict:
    """Reproducibility metadata of an impact-report run (see :func:`metadata.collect`)."""
    meta = metadata.collect(year=p.year, languages=list(languages), seed=p.seed,
                            data_dir=p.data_dir, data=data)
    meta["report"] = "impact_report"
    meta["parameters"] = {**meta["parameters"], "outcome": p.outcome,  # type: ignore[dict-item]
                          "programme": p.programme, "control": p.control}
    return meta


def _languages(language: str | Iterable[str]) -> tuple[str, ...]:
    langs = (language,) if isinstance(language, str) else tuple(language)
    if not langs:
        raise _fail("language", language, ", ".join(repr(x) for x in LANGUAGES))
    return tuple(dict.fromkeys(langs))


def build_impact_report(year: int | None = None, data_dir: str | os.PathLike[str] | None = None,
                        language: str | Iterable[str] = ("fi", "en"), seed: int = 2024,
                        outcome: str = DEFAULT_OUTCOME, programme: str = ALL_PROGRAMMES,
                        control: str = "never_treated", out_dir: str | os.PathLike[str] = "reports",
                        progress: bool = True) -> Path:
    """Regenerate the impact report and return its folder ``<out_dir>/<year>``.

    Parameters
    ----------
    year : int, optional
        Report year; default the latest complete year of the data.
    data_dir : path-like, optional
        Canonical Parquet tables (or notice files); default the demo corpus in
        ``data/raw/demo``, generated with ``seed`` when missing.
    language : str or iterable of str
        ``fi`` and/or ``en``; one notebook and HTML each.
    seed : int
        Seed of the demo data, the bootstrap and every simulation.
    outcome : str
        Outcome indicator id (see :func:`allowed_outcomes`).
    programme : str
        ``"all"`` or a programme of the data's ``programme_participation``.
    control : str
        ``never_treated`` or ``not_yet_treated``.
    out_dir : path-like
        Output root; relative paths are taken from the project root.
    progress : bool
        Show a progress bar.

    Returns
    -------
    pathlib.Path
        ``<out_dir>/<year>`` holding ``impact_report_<lang>.ipynb`` and ``.html``,
        ``figures/impact_*_<lang>.png``, ``tables/impact_*.csv``,
        ``tables/impact_report_<lang>.xlsx`` and ``impact_metadata.json``, beside
        the annual report.

    Raises
    ------
    ValueError
        For a bad parameter, before any notebook runs.
    """
    from tqdm import tqdm

    from keino_metrics.report import coverage
    from keino_metrics.report.run import (
        _env,
        execute_notebooks,
        latest_complete_year,
        source_date_epoch,
    )

    langs = _languages(language)
    probe_year = year if year is not None else params.YEAR_RANGE[0]
    checked = [validate_impact_params(probe_year, data_dir, lang, seed, outcome, programme,
                                      control) for lang in langs]
    data_path = checked[0].data_dir
    root = paths.project_root()
    out_root = Path(out_dir)
    out_root = out_root if out_root.is_absolute() else root / out_root

    bar = tqdm(total=3 + 2 * len(langs), desc="impact report", unit="step",
               disable=not progress)
    try:
        bar.set_postfix_str("data")
        data = load_data(data_path, seed=seed)
        report_year = latest_complete_year(data) if year is None else year
        checked = [validate_impact_params(report_year, data_path, lang, seed, outcome,
                                          programme, control,
                                          available_years=coverage.data_years(data),
                                          programmes=data_programmes(data))
                   for lang in langs]
        bar.update()
        folder = out_root / str(report_year)
        epoch = source_date_epoch(report_year)
        created = datetime.fromtimestamp(epoch, tz=UTC).replace(tzinfo=None)
        with _env(SOURCE_DATE_EPOCH=str(epoch)):
            execute_notebooks(NOTEBOOK, checked, folder, "impact_report",
                              lambda lang: text("title", lang, year=report_year), bar)

            bar.set_postfix_str("figures and tables")
            content = compute_impact(data, report_year, outcome=outcome, programme=programme,
                                     control=control, seed=seed)
            written: list[Path] = []
            for p in checked:
                for name, fig in content.figures(p.language).items():
                    written.append(figures.save(fig, folder / "figures"
                                                / f"{name}_{p.language}.png"))
            meta = collect_metadata(checked[0], langs, data)
            machine = content.tables()
            written += tables.write_csv_tables(machine, folder / "tables")
            for p in checked:
                written.append(tables.write_excel(
                    {k.removeprefix("impact_"): v for k, v in machine.items()},
                    folder / "tables" / f"impact_report_{p.language}.xlsx", metadata=meta,
                    created=created, metadata_sheet="Tiedot - Metadata"))
            bar.update()
            bar.set_postfix_str("metadata")
            meta["source_date_epoch"] = epoch
            meta["outputs"] = metadata.output_records(folder, [
                *written, *(folder / f"impact_report_{p.language}.html" for p in checked)])
            metadata.write(meta, folder / "impact_metadata.json")
            bar.update()
    finally:
        bar.close()
    return folder

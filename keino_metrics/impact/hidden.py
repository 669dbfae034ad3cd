"""Hidden volume: the share of lots that are truly innovative (or green) when the
flags under-report.

Buyers answer the Hilma statistics questions (``solutionNewToMarketOrIndustry``,
``lowCarbon`` ...) per lot, and not every qualifying lot gets its flag. The flag
share is therefore a lower bound. :class:`HiddenVolumeEstimator` reads the lots'
titles and descriptions with a language-agnostic text classifier (TF-IDF of
character n-grams, which works for Finnish, Swedish and English alike without
stemming, and logistic regression; both scikit-learn) and turns its output into
an estimate of the true share. Two sets of assumptions are supported; choose the
one that matches the data you have:

``mode="validation"`` (a labelled audit sample)
    A random sample of lots has been read by hand and given its true label. The
    classifier is trained on that sample; its sensitivity and specificity are
    estimated by cross-validation on it; it is applied to all lots, and the
    share it classifies as positive ``q`` is corrected for misclassification
    with the Rogan-Gladen estimator ``(q + sp - 1) / (se + sp - 1)`` (the
    "adjusted classify and count" of the quantification literature, Forman
    2008). Assumes: the audit sample is random (or at least the classifier's
    error rates are the same in it as in the population) and its labels are
    correct.
``mode="pu"`` (flags only, positive-unlabelled learning)
    No audit. Assumes every flagged lot is truly positive (no false flags) and
    that a truly positive lot gets its flag with a constant probability ``c``
    that does not depend on its text ("selected completely at random", Elkan &
    Noto 2008). The classifier is trained to tell flagged from unflagged lots.
    Among lots whose text leaves no doubt that they are positive, the flagged
    fraction is ``c``; such an "anchor set" is taken to be the lots whose
    cross-validated score is at least the ``anchor_quantile`` quantile of the
    flagged lots' scores (the irreducibility assumption of mixture-proportion
    estimation, Scott 2015: some texts occur only in positive lots). The true
    share is ``flag share / c`` and ``1 - c`` is the under-reporting rate. If
    buyers flag the clearer cases more often than the borderline ones, ``c`` is
    over-estimated and the true share under-estimated; if ordinary lots also
    reach the anchor scores, ``c`` is under-estimated and the share
    over-estimated. (The Elkan-Noto mean score over flagged lots is biased low
    when the regularised classifier shrinks its probabilities, so it is not
    used.)

In both modes the interval is a seeded percentile bootstrap over lots, resampling
the out-of-fold classifier outputs (the classifier is fitted once; refitting in
each replicate would add the model-selection variance, which is not included).

The Rogan-Gladen correction, the Elkan-Noto estimator and the bootstrap are
written here because scikit-learn has no quantification estimators and no
maintained Python package for them was found among the project's dependencies.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from keino_metrics.impact.results import fmt, fmt_ci, say, warning_lines
from keino_metrics.results import Note, Result, recorded_notes

#: Cross-validated AUC from which the classifier counts as separating the lots.
#: Below it, the texts hardly tell the classes apart: in ``pu`` mode the anchor
#: set then holds ordinary lots as well and the flagging probability is not
#: identified. 0.8 is the conventional lower bound of "good" discrimination
#: (Hosmer, Lemeshow & Sturdivant, Applied Logistic Regression, 3rd ed., 2013:
#: 0.7-0.8 acceptable, 0.8-0.9 excellent discrimination).
MIN_AUC = 0.8
#: Youden's index (sensitivity + specificity - 1) from which the Rogan-Gladen
#: correction of ``validation`` mode is taken to be stable.
MIN_YOUDEN = 0.2


def lot_texts(lots: pd.DataFrame, columns: tuple[str, ...] = ("title", "description")) -> pd.Series:
    """Join the text columns of ``lots`` into one string per lot.

    Parameters
    ----------
    lots : pandas.DataFrame
        Lots with (some of) the text columns.
    columns : tuple of str
        Columns to join; missing values count as empty.

    Returns
    -------
    pandas.Series
    """
    present = [c for c in columns if c in lots.columns]
    if not present:
        raise ValueError(f"lots has none of the text columns {columns}")
    return lots[present].fillna("").astype(str).agg(" ".join, axis=1).str.strip()


@dataclass(frozen=True, repr=False)
class HiddenVolumeResult(Result):
    """Estimated true share of positive lots.

    Attributes
    ----------
    estimate : float
        Estimated true share (NaN when the classifier carries no information,
        i.e. sensitivity + specificity <= 1).
    ci : tuple of float
        Bootstrap percentile interval.
    observed_share : float
        Share of lots flagged (NaN when no flags were given).
    classified_share : float
        Share the classifier calls positive (``validation``) or the mean
        cross-validated flag probability (``pu``).
    n_lots : int
        Lots in the population.
    mode : str
        ``"validation"`` or ``"pu"``.
    sensitivity, specificity : float
        Cross-validated error rates of the classifier (``validation``).
    label_frequency : float
        Estimated probability that a positive lot is flagged (``pu``); the
        under-reporting rate is ``1 - label_frequency``.
    alpha : float
        The interval has level ``1 - alpha``.
    auc : float
        Cross-validated AUC of the classifier.
    min_auc : float
        The AUC the model requires (:data:`MIN_AUC`).
    reliable : bool
        Whether the classifier is reliable by the model's own rules: AUC at
        least ``min_auc`` and, in ``validation`` mode, Youden's index at least
        :data:`MIN_YOUDEN`.
    reliability : str
        The rule and the numbers behind ``reliable``, in words.
    notes : tuple of Note
        The warnings of the fit (scikit-learn's and the model's own), each once.
    """

    estimate: float
    ci: tuple[float, float]
    observed_share: float
    classified_share: float
    n_lots: int
    mode: str
    sensitivity: float
    specificity: float
    label_frequency: float
    alpha: float
    auc: float = float("nan")
    min_auc: float = MIN_AUC
    reliable: bool = False
    reliability: str = ""
    notes: tuple[Note, ...] = ()

    @property
    def hidden_share(self) -> float:
        """Estimated share of lots that are positive but not flagged."""
        return self.estimate - self.observed_share

    def to_frame(self) -> pd.DataFrame:
        """One-row table of the estimate and its ingredients (``n`` is the number of lots)."""
        return pd.DataFrame([{
            "mode": self.mode, "estimate": self.estimate, "ci_low": self.ci[0],
            "ci_high": self.ci[1], "observed_share": self.observed_share,
            "hidden_share": self.hidden_share, "classified_share": self.classified_share,
            "sensitivity": self.sensitivity, "specificity": self.specificity,
            "label_frequency": self.label_frequency, "n": self.n_lots,
            "auc": self.auc, "min_auc": self.min_auc, "reliable": self.reliable,
        }])

    def summary(self, lang: str = "en") -> str:
        """Summarise in ``lang`` (fi, sv or en)."""
        pct = lambda v: fmt(100 * v, 1, lang) + " %"  # noqa: E731
        level = int(round(100 * (1 - self.alpha)))
        ci = fmt_ci((100 * self.ci[0], 100 * self.ci[1]), 1, lang)
        how = (say("hidden.validation", lang, sensitivity=pct(self.sensitivity),
                   specificity=pct(self.specificity)) if self.mode == "validation" else
               say("hidden.pu", lang, frequency=pct(self.label_frequency)))
        verdict = "hidden.reliable" if self.reliable else "hidden.unreliable"
        return "\n".join([
            say("hidden.head", lang, how=how, n=self.n_lots),
            say("hidden.shares", lang, observed=pct(self.observed_share),
                estimate=pct(self.estimate), level=level, ci=ci),
            say(verdict, lang, auc=fmt(self.auc, 2, lang), min_auc=fmt(self.min_auc, 2, lang)),
            *warning_lines(self.notes, lang),
        ])

    def plot(self, lang: str = "en") -> Figure:
        """Bar chart: flagged share against the estimated true share.

        Parameters
        ----------
        lang : str
            Language of the labels.

        Returns
        -------
        matplotlib.figure.Figure
        """
        fig = Figure(figsize=(5, 4))
        ax = fig.add_subplot()
        ax.bar([say("hidden.flagged", lang), say("hidden.true_share", lang)],
               [self.observed_share, self.estimate],
               color=["grey", "tab:green"])
        ax.errorbar([1], [self.estimate], yerr=[[self.estimate - self.ci[0]],
                                                [self.ci[1] - self.estimate]],
                    color="black", capsize=4)
        ax.set_ylabel(say("hidden.share_of_lots", lang))
        return fig


def _as_frame(X) -> pd.DataFrame:
    """Texts (and optionally flags) as a DataFrame with ``text`` (and ``flag``)."""
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise ValueError(f"X needs a 'text' column; it has {list(X.columns)}")
        out = pd.DataFrame({"text": X["text"].fillna("").astype(str).to_numpy()})
        if "flag" in X.columns:
            out["flag"] = X["flag"].fillna(False).astype(bool).astype(float).to_numpy()
        return out
    return pd.DataFrame({"text": pd.Series(X, dtype="object").fillna("").astype(str).to_numpy()})


def _rogan_gladen(q: np.ndarray, se: np.ndarray, sp: np.ndarray) -> np.ndarray:
    denom = se + sp - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        est = np.where(denom > 0, (q + sp - 1) / denom, np.nan)
    return np.clip(est, 0, 1)


def _anchor_frequency(scores: np.ndarray, labels: np.ndarray, quantile: float) -> np.ndarray:
    """Flagged fraction among the lots scoring at least the flagged lots' quantile.

    Rows are bootstrap replicates (or a single row).
    """
    out = np.full(scores.shape[0], np.nan)
    for r in range(scores.shape[0]):
        flagged = scores[r, labels[r]]
        if flagged.size == 0:
            continue
        anchor = scores[r] >= np.quantile(flagged, quantile)
        out[r] = labels[r, anchor].mean()
    return out


class HiddenVolumeEstimator(ClassifierMixin, BaseEstimator):
    """Text classifier and prevalence estimator for under-reported lot flags.

    Parameters
    ----------
    mode : {"validation", "pu"}
        Assumptions (see the module docstring).
    ngram_range : tuple of int
        Character n-gram lengths.
    min_df : int
        Minimum number of lots an n-gram must occur in.
    C : float
        Inverse regularisation strength of the logistic regression.
    cv : int
        Folds for the out-of-fold predictions.
    threshold : float
        Probability above which a lot is classified positive (``validation``).
    anchor_quantile : float
        Quantile of the flagged lots' scores from which the anchor set starts
        (``pu``).
    n_boot : int
        Bootstrap replicates of the interval.
    alpha : float
        The interval has level ``1 - alpha``.
    random_state : int or None
        Seed of the folds and the bootstrap.

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
        The fitted TF-IDF + logistic regression pipeline.
    classes_ : numpy.ndarray
        ``[False, True]``.
    uses_flag_ : bool
        Whether the reported flag is a feature.
    oof_proba_ : numpy.ndarray
        Out-of-fold positive probabilities of the training lots.
    auc_ : float
        Cross-validated area under the ROC curve of those probabilities; a
        warning is given when it is too low for the chosen mode.
    sensitivity_, specificity_ : float
        Cross-validated error rates (``validation``).
    label_frequency_ : float
        Estimated flagging probability of a positive lot (``pu``).
    """

    def __init__(
        self,
        mode: Literal["validation", "pu"] = "validation",
        ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 2,
        C: float = 10.0,
        cv: int = 5,
        threshold: float = 0.5,
        anchor_quantile: float = 0.5,
        n_boot: int = 999,
        alpha: float = 0.05,
        random_state: int | None = 0,
    ) -> None:
        self.mode = mode
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.C = C
        self.cv = cv
        self.threshold = threshold
        self.anchor_quantile = anchor_quantile
        self.n_boot = n_boot
        self.alpha = alpha
        self.random_state = random_state

    def _pipeline(self, with_flag: bool) -> Pipeline:
        tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=self.ngram_range,
                                min_df=self.min_df, sublinear_tf=True, lowercase=True)
        features = [("tfidf", tfidf, "text")]
        if with_flag:
            features.append(("flag", "passthrough", ["flag"]))
        return Pipeline([
            ("features", ColumnTransformer(features)),
            ("logit", LogisticRegression(C=self.C, max_iter=2000)),
        ])

    def fit(self, X, y) -> HiddenVolumeEstimator:
        """Fit the classifier.

        Parameters
        ----------
        X : sequence of str or pandas.DataFrame
            Lot texts (see :func:`lot_texts`), or a DataFrame with a ``text``
            column and, in ``validation`` mode, optionally the lots' reported
            ``flag`` as a further feature (the flag is then part of the
            classifier, and Rogan-Gladen corrects its under-reporting).
        y : sequence of bool
            True labels of an audited sample (``validation``) or the flags of all
            lots (``pu``).

        Returns
        -------
        HiddenVolumeEstimator
            The fitted estimator.
        """
        if self.mode not in ("validation", "pu"):
            raise ValueError(f"mode must be 'validation' or 'pu', got {self.mode!r}")
        texts = _as_frame(X)
        with_flag = "flag" in texts.columns
        if with_flag and self.mode == "pu":
            raise ValueError("in pu mode the flags are the labels y; X must not have a 'flag' column")
        labels = pd.Series(y).astype(bool).to_numpy()
        if len(texts) != len(labels):
            raise ValueError(f"X has {len(texts)} texts but y has {len(labels)} labels")
        n_pos, n_neg = int(labels.sum()), int((~labels).sum())
        if min(n_pos, n_neg) < self.cv:
            raise ValueError(f"y needs at least cv={self.cv} positive and negative lots, "
                             f"got {n_pos} positive and {n_neg} negative")
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        notes: list[Note] = []
        with recorded_notes(notes, "scikit-learn"):
            self.oof_proba_ = cross_val_predict(self._pipeline(with_flag), texts, labels,
                                                cv=folds, method="predict_proba")[:, 1]
            self.pipeline_ = self._pipeline(with_flag).fit(texts, labels)
        self.notes_ = notes
        self.uses_flag_ = with_flag
        self.classes_ = np.array([False, True])
        self.train_labels_ = labels
        self.auc_ = float(roc_auc_score(labels, self.oof_proba_))
        if self.mode == "validation":
            pred = self.oof_proba_ >= self.threshold
            self.sensitivity_ = float(pred[labels].mean())
            self.specificity_ = float((~pred[~labels]).mean())
            self.label_frequency_ = float("nan")
            if self.sensitivity_ + self.specificity_ - 1 < MIN_YOUDEN:
                self._warn(
                    f"the classifier barely separates the classes (cross-validated "
                    f"sensitivity {self.sensitivity_:.2f}, specificity {self.specificity_:.2f}); "
                    "the Rogan-Gladen estimate is unstable: add the reported flag as a "
                    "feature or audit more lots")
        else:
            self.label_frequency_ = float(_anchor_frequency(
                self.oof_proba_[None, :], labels[None, :], self.anchor_quantile)[0])
            self.sensitivity_ = self.specificity_ = float("nan")
            if self.auc_ < MIN_AUC:
                self._warn(
                    f"the text hardly tells flagged from unflagged lots (cross-validated "
                    f"AUC {self.auc_:.2f}): the anchor-set assumption of the pu mode is not "
                    "supported and its estimate is unreliable; use an audit sample")
        return self

    def _warn(self, message: str) -> None:
        """Issue ``message`` as a warning and keep it for the result's notes."""
        self.notes_.append(Note("warning", f"UserWarning: {message}", "hidden volume"))
        warnings.warn(message, stacklevel=3)

    def reliability(self) -> tuple[bool, str]:
        """Whether the fitted classifier is reliable by :data:`MIN_AUC` (and, in
        ``validation`` mode, :data:`MIN_YOUDEN`), with the rule in words."""
        check_is_fitted(self, "pipeline_")
        ok = self.auc_ >= MIN_AUC
        text = f"cross-validated AUC {self.auc_:.3f} (required: at least {MIN_AUC})"
        if self.mode == "validation":
            youden = self.sensitivity_ + self.specificity_ - 1
            ok = ok and youden >= MIN_YOUDEN
            text += f"; Youden's index {youden:.3f} (required: at least {MIN_YOUDEN})"
        return bool(ok), ("reliable: " if ok else "not reliable: ") + text

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities ``[P(negative), P(positive)]`` of each text."""
        check_is_fitted(self, "pipeline_")
        texts = _as_frame(X)
        if self.uses_flag_ and "flag" not in texts.columns:
            raise ValueError("the estimator was fitted with a 'flag' column; X needs it too")
        return self.pipeline_.predict_proba(texts)

    def predict(self, X) -> np.ndarray:
        """Classify texts as positive (True) or negative (False)."""
        return self.predict_proba(X)[:, 1] >= self.threshold

    def estimate(self, X=None, flags=None) -> HiddenVolumeResult:
        """Estimate the true share of positive lots.

        Parameters
        ----------
        X : sequence of str or pandas.DataFrame, optional
            Texts of the population of lots (``validation``; required there),
            with the ``flag`` column if the estimator was fitted with one.
            In ``pu`` mode the population is the training data.
        flags : sequence of bool, optional
            Flags of the population (``validation``; only reported, for the
            comparison with the flagged share).

        Returns
        -------
        HiddenVolumeResult
        """
        check_is_fitted(self, "pipeline_")
        rng = np.random.default_rng(self.random_state)
        if self.mode == "validation":
            if X is None:
                raise ValueError("validation mode needs the population texts X")
            pred = self.predict(X)
            q = float(pred.mean())
            est = float(_rogan_gladen(np.array(q), np.array(self.sensitivity_),
                                      np.array(self.specificity_)))
            lab = self.train_labels_
            oof_pred = self.oof_proba_ >= self.threshold
            n_val, n_pop = len(lab), len(pred)
            iv = rng.integers(0, n_val, (self.n_boot, n_val))
            ip = rng.integers(0, n_pop, (self.n_boot, n_pop))
            lb, pb = lab[iv], oof_pred[iv]
            with np.errstate(invalid="ignore"):
                se_b = (pb & lb).sum(1) / lb.sum(1)
                sp_b = (~pb & ~lb).sum(1) / (~lb).sum(1)
            boots = _rogan_gladen(pred[ip].mean(1), se_b, sp_b)
            if flags is None and isinstance(X, pd.DataFrame) and "flag" in X.columns:
                flags = X["flag"].fillna(False)
            observed = (float(np.mean(pd.Series(flags).astype(bool))) if flags is not None
                        else float("nan"))
            classified = q
            n_lots = n_pop
        else:
            lab, g = self.train_labels_, self.oof_proba_
            c = self.label_frequency_
            est = float(min(1.0, lab.mean() / c))
            idx = rng.integers(0, len(lab), (self.n_boot, len(lab)))
            lb, gb = lab[idx], g[idx]
            c_b = _anchor_frequency(gb, lb, self.anchor_quantile)
            boots = np.clip(lb.mean(1) / c_b, 0, 1)
            observed = float(lab.mean())
            classified = float(g.mean())
            n_lots = len(lab)
        boots = boots[np.isfinite(boots)]
        if np.isfinite(est) and boots.size:
            ci = (float(np.quantile(boots, self.alpha / 2)),
                  float(np.quantile(boots, 1 - self.alpha / 2)))
        else:
            # sensitivity + specificity <= 1: the classifier carries no information
            # and the corrected share is undefined
            ci = (float("nan"), float("nan"))
        reliable, why = self.reliability()
        return HiddenVolumeResult(
            estimate=est, ci=ci, observed_share=observed, classified_share=classified,
            n_lots=n_lots, mode=self.mode, sensitivity=self.sensitivity_,
            specificity=self.specificity_, label_frequency=self.label_frequency_,
            alpha=self.alpha, auc=self.auc_, min_auc=MIN_AUC, reliable=reliable,
            reliability=why, notes=tuple(self.notes_),
        )

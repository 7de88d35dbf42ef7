"""Clustered models of the resilience outcomes (statsmodels GEE).

Documents (and spans) from one station are not independent, so every model is a
logistic GEE with stations as clusters and an exchangeable working correlation
(Liang & Zeger 1986), reported as odds ratios with 95% intervals from the
bias-reduced sandwich covariance of Mancl & DeRouen (2001). With few clusters the
Wald statistics are referred to a t distribution with G - 1 degrees of freedom
(G stations) rather than to the normal (Cameron & Miller 2015), and a model keeps
at most one parameter per ``clusters_per_parameter`` stations: when the design
has more, the voice indicators are left out first (and the table says so). These
are models of *coded* qualitative data:
they describe how codes travel together in what people said, not the effect of
one practice on a community.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from analysis.methods.codebook import themes_of

REFERENCE_ACTOR = "resident"


def _name(code: str) -> str:
    return code.replace(".", "_")


def document_table(segments: pd.DataFrame, documents: pd.DataFrame, participants: pd.DataFrame,
                   codes: list[str]) -> pd.DataFrame:
    """One row per document: presence (0/1) of each code, the voice, its station and size.

    ``voice`` is the interviewee's actor type for an individual interview,
    ``focus_group`` for a focus group and ``written`` for field notes and documents.
    """
    spans = segments.drop_duplicates(["document_id", "start", "end"]).groupby("document_id").size().rename("n_spans")
    present = segments[segments["code_id"].isin(codes)].assign(v=1).pivot_table(
        index="document_id", columns="code_id", values="v", aggfunc="max", fill_value=0).reindex(columns=codes, fill_value=0)
    actor = dict(zip(participants["participant_id"], participants["actor_type"]))
    docs = documents[["document_id", "case_id", "kind", "participants"]].set_index("document_id")
    voice = [actor.get(p, "written") if k == "interview" else ("focus_group" if k == "focus_group" else "written")
             for k, p in zip(docs["kind"], docs["participants"])]
    out = docs.assign(voice=voice).join(present).join(spans)
    out[codes] = out[codes].fillna(0).astype(int)
    out["n_spans"] = out["n_spans"].fillna(0)
    out["log_spans"] = np.log(out["n_spans"].clip(lower=1))
    return out.rename(columns={c: _name(c) for c in codes}).reset_index()


def n_parameters(frame: pd.DataFrame, predictors: list[str]) -> int:
    """The coefficients a model of ``predictors`` estimates: the intercept, one per numeric
    predictor and one per level beyond the first of each categorical ``C(...)`` one."""
    return 1 + sum(frame[p[2:-1]].nunique() - 1 if p.startswith("C(") else 1 for p in predictors)


def within_budget(frame: pd.DataFrame, predictors: list[str], group: str, clusters_per_parameter: float) -> tuple[list[str], list[str]]:
    """``predictors`` without the categorical ones (last first) while the model would have more than
    one parameter per ``clusters_per_parameter`` clusters; the kept and the dropped predictors."""
    clusters = frame[group].nunique()
    kept, dropped = list(predictors), []
    while n_parameters(frame, kept) * clusters_per_parameter > clusters and any(p.startswith("C(") for p in kept):
        last = [p for p in kept if p.startswith("C(")][-1]
        kept.remove(last)
        dropped.append(last[2:-1])
    return kept, dropped


def gee_logit(frame: pd.DataFrame, outcome: str, predictors: list[str], group: str = "case_id",
              reference: str = REFERENCE_ACTOR, clusters_per_parameter: float = 0.0) -> pd.DataFrame:
    """Fit one logistic GEE; one row per coefficient with OR, 95% CI and p, or a note why not.

    Categorical predictors are given as ``C(voice)``; the reference level of
    ``voice`` is ``reference`` when present. p-values and intervals refer the
    Wald statistic to t(G - 1), G the number of clusters (column ``reference``).
    With ``clusters_per_parameter`` > 0 the categorical predictors are left out
    while the model has more than one parameter per that many clusters (column
    ``dropped``); a model still over that budget is not estimated.
    """
    from scipy import stats

    clusters = int(frame[group].nunique())
    kept, dropped = within_budget(frame, predictors, group, clusters_per_parameter) if clusters_per_parameter > 0 \
        else (list(predictors), [])
    params = n_parameters(frame, kept)
    y = frame[outcome]
    base = {"outcome": outcome, "n": int(len(frame)), "n_outcome": int(y.sum()), "n_clusters": clusters,
            "n_params": params, "reference": f"t({clusters - 1})", "dropped": ", ".join(dropped)}
    if y.nunique() < 2:
        return pd.DataFrame([{**base, "term": "", "note": "the outcome does not vary"}])
    if clusters < 2 or (clusters_per_parameter > 0 and params * clusters_per_parameter > clusters):
        return pd.DataFrame([{**base, "term": "", "note": f"not estimated: {params} parameters for {clusters} clusters"}])
    terms = [p if not p.startswith("C(") else f"C({p[2:-1]}, Treatment('{reference}'))" for p in kept]
    formula = f"{outcome} ~ " + " + ".join(terms)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = smf.gee(formula, group, data=frame, family=sm.families.Binomial(),
                            cov_struct=sm.cov_struct.Exchangeable())
            # few clusters (stations): Mancl-DeRouen bias-reduced sandwich covariance
            fit = model.fit(maxiter=200, cov_type="bias_reduced")
        except Exception as err:  # separation, singular designs: say so rather than fail
            return pd.DataFrame([{**base, "term": "", "note": f"not estimable: {type(err).__name__}"}])
    finite = np.isfinite(fit.params).all() and np.isfinite(fit.bse).all()
    if not finite or not getattr(fit, "converged", True) or (fit.bse > 50).any():
        return pd.DataFrame([{**base, "term": "", "note": "not estimable: the fit did not converge (separation)"}])
    df = clusters - 1
    half = stats.t.ppf(0.975, df) * fit.bse
    p_values = pd.Series(2 * stats.t.sf(np.abs(fit.params / fit.bse), df), index=fit.params.index)
    rows = []
    for term in fit.params.index:
        coef = fit.params[term]
        rows.append({**base, "term": _clean(term), "coef": coef, "se": fit.bse[term], "odds_ratio": np.exp(coef),
                     "or_lo": np.exp(coef - half[term]), "or_hi": np.exp(coef + half[term]), "p_value": p_values[term],
                     "note": ""})
    return pd.DataFrame(rows)


def _clean(term: str) -> str:
    """``C(voice, Treatment('resident'))[T.cadre]`` -> ``voice=cadre``."""
    if "[T." in term:
        var = term[2:term.index(",")] if term.startswith("C(") else term.split("[")[0]
        return f"{var}={term.split('[T.')[1].rstrip(']')}"
    return term


def outcome_models(table: pd.DataFrame, outcomes: list[str], mechanisms: list[str],
                   clusters_per_parameter: float = 0.0) -> pd.DataFrame:
    """Each resilience outcome's presence in a document on the mechanism codes, the voice and size.

    The mechanism coefficients of all models are corrected together for the
    false-discovery rate (``p_fdr``; Benjamini-Hochberg).
    """
    from analysis.methods.multiplicity import fdr_adjust

    preds = [_name(m) for m in mechanisms] + ["C(voice)", "log_spans"]
    fits = pd.concat([gee_logit(table, _name(o), preds, clusters_per_parameter=clusters_per_parameter).assign(code_id=o)
                      for o in outcomes], ignore_index=True)
    mech = fits["term"].astype(str).str.startswith("mech_") & fits.get("p_value", pd.Series(dtype=float)).notna()
    fits["p_fdr"] = np.nan
    if mech.any():
        fits.loc[mech, "p_fdr"] = fdr_adjust(fits.loc[mech, "p_value"])
    return fits


def resilience_spans(segments: pd.DataFrame, documents: pd.DataFrame, participants: pd.DataFrame,
                     theme: str, contrary: list[str], mechanism_theme: str) -> pd.DataFrame:
    """Spans about resilience: supportive (a code of ``theme``) or contrary, whether the station's
    leading mechanism came up earlier in the same document, and where in the document the span
    starts (``position``: its first character over the document's length, 0 to 1).

    A span late in a conversation is more often after the first mention of a mechanism simply
    because more has been said by then; and talk may grow warmer as an interview goes on, for
    reasons of its own. The position lets the model tell "after the mechanism" from "later".
    """
    keys = ["document_id", "start", "end"]
    # each coding's flags, then a span's: whether any of its codes is of the theme, contrary or a mechanism
    theme_of = themes_of(segments["code_id"])
    flags = segments[[*keys, "case_id", "actor_type"]].assign(
        support=theme_of == theme, against=segments["code_id"].isin(contrary), mech_here=theme_of == mechanism_theme)
    spans = flags.groupby(keys).agg(case_id=("case_id", "first"), actor_type=("actor_type", "first"),
                                    support=("support", "max"), against=("against", "max"),
                                    mech_here=("mech_here", "max")).reset_index()
    spans = spans.sort_values(keys)
    first_mech = spans[spans["mech_here"]].groupby("document_id")["start"].min()
    spans["mech_before"] = (spans["start"] > spans["document_id"].map(first_mech).fillna(np.inf)).astype(int)
    about = spans[spans["support"] ^ spans["against"]].copy()
    about["supportive"] = about["support"].astype(int)
    length = about["document_id"].map(dict(zip(documents["document_id"], documents["n_chars"])))
    about["position"] = (about["start"] / length.where(length > 0)).clip(0, 1).fillna(0.0)
    kind = dict(zip(documents["document_id"], documents["kind"]))
    about["voice"] = [a if kind[d] in ("interview", "focus_group") and a != "none" else "written"
                      for a, d in zip(about["actor_type"], about["document_id"])]
    return about[["document_id", "start", "end", "case_id", "voice", "supportive", "mech_before",
                  "position"]].reset_index(drop=True)


def mechanism_link_model(spans: pd.DataFrame, clusters_per_parameter: float = 0.0) -> pd.DataFrame:
    """Is resilience talk more often supportive once the mechanism has come up in the document, at
    the same position in the document (see :func:`resilience_spans`)?"""
    return gee_logit(spans, "supportive", ["mech_before", "position", "C(voice)"],
                     clusters_per_parameter=clusters_per_parameter)

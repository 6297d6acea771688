"""Rules every export figure passes before it joins the ledger, and how revisions are decided.

Kept apart from :mod:`.ledger` (which applies them) so each rule has one home:

* :func:`province_names` puts every province through the one vocabulary
  (:func:`kaltim_research.data.vocabulary.normalise_province`): 'Kaltim', 'KALIMANTAN TIMUR'
  or a double space are the same province; an unknown name is refused with a did-you-mean.
* :func:`period_problems` refuses a figure for a period that ends after its own source date
  (a release cannot print a month that has not happened: a year 2099 never reaches a brief).
* :func:`choose` decides between figures for the same key: a reported value beats an implied
  one; then the later release (a revision) wins; precision decides only between figures of
  the same release date, or when the later figure is the earlier one rounded or truncated (it
  is within one unit of its own last printed digit: 19,5 miliar after 19.590), which is a
  restatement, not a revision (a revision 118.20 after 116.45 differs by more).
"""
from __future__ import annotations

import pandas as pd

from kaltim_research.data.vocabulary import normalise_province
from kaltim_research.errors import DataError, Problem


def province_names(frame: pd.DataFrame, file: str) -> pd.Series:
    """The ``province`` column through the vocabulary; DataError naming each bad line."""
    out, problems = [], []
    for name, line in zip(frame["province"], frame["source_line"], strict=True):
        try:
            out.append(normalise_province(str(name)))
        except ValueError as exc:
            problems.append(Problem(file, str(exc), line=int(line), column="province",
                                    value=str(name)))
            out.append(name)
    if problems:
        raise DataError(problems)
    return pd.Series(out, index=frame.index)


def period_problems(obs: pd.DataFrame, files: dict[str, str],
                    date_key) -> list[Problem]:
    """Figures whose period ends after their source date (``date_key`` parses the date)."""
    problems = []
    for r in obs.itertuples(index=False):
        y, m, _d = date_key(r.source_date)
        if not y:
            continue
        if (r.year, r.month) > (y, m or 12):
            problems.append(Problem(
                files.get(r.resource, r.resource),
                f"period {r.year}-{r.month:02d} ends after the source date {r.source_date}; "
                "expected a period the release could report (check the year)",
                line=int(r.source_line), column="year", value=str(r.year)))
    return problems


def choose(group: pd.DataFrame, half_unit, digits) -> tuple[int, dict[int, str]]:
    """Index of the chosen figure of one key and, for each other usable figure, why it lost.

    ``group`` holds the usable figures of one key sorted by basis, then release date (latest
    first), then precision, then manifest order; ``half_unit`` and ``digits`` are the
    ledger's rounding helpers."""
    first = group.iloc[0]
    best = first
    for _, other in group.iloc[1:].iterrows():
        if other["rank_basis"] != first["rank_basis"]:
            break
        # within one unit of the later figure's last digit: the press rounds or truncates
        # (19,59 miliar printed as 19,5), so the later figure restates, not revises
        rounding = abs(best["value_usd_m"] - other["value_usd_m"]) < 2 * half_unit(best["value_usd_m"])
        if rounding and digits(other["value_usd_m"]) > digits(best["value_usd_m"]):
            best = other
    reasons = {}
    for idx, other in group.iterrows():
        if idx == best.name:
            continue
        gap = abs(best["value_usd_m"] - other["value_usd_m"])
        if other["rank_basis"] != best["rank_basis"]:
            why = "a reported value beats a value implied from a % change"
        elif other["rank_date"] == best["rank_date"]:
            why = ("same release date: the more precise figure wins"
                   if digits(other["value_usd_m"]) < digits(best["value_usd_m"]) else
                   "same release date and precision: the earlier row of the manifest wins")
        elif gap < 2 * max(half_unit(best["value_usd_m"]), half_unit(other["value_usd_m"])):
            why = ("rounding: the releases agree within rounding; the more precise figure "
                   "is kept")
        else:
            why = (f"revision: the release of {first['source_date']} supersedes the release "
                   f"of {other['source_date']}")
        reasons[idx] = why
    return best.name, reasons

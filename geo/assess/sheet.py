"""The assessment of a scope for a period under a rule set: one row per adviser and one per village, each
indicator's value, target and points, the total, the grade and the payment; the rankings within counties and
townships, the best and warning lists, and the months and records behind every figure.

Only what is filed once counts (contracts and service records, :mod:`geo.store.assess`); the scope is always
inside the asker's jurisdiction, and licence numbers are left out for whoever may not see contacts.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from geo.assess.facts import ADVISER, VILLAGE, Facts, contract_months, facts_of, service_records
from geo.assess.indicators import BOARDS, FEEDBACK, NONE, OUTDATED, UNIT_COLUMNS, Indicator
from geo.assess.period import Period
from geo.assess.rules import RuleSet
from geo.auth.access import OPEN, Principal
from geo.core.categories import LECTURE, MEDIATION
from geo.core.codes import Scope, to_str
from geo.core.errors import UserError
from geo.core.feedback import Period as FeedbackPeriod
from geo.public.boards import reprint_list
from geo.store import Store
from geo.text.catalogue import t

#: the figures every row carries beside the indicators, in this order
FIGURES = ("villages", "months_served", "onsite_hours", "months_on_site", "records", "onsite_records",
           "remote_records", "lectures", "mediations", "people")


@dataclass(frozen=True)
class Assessment:
    scope: Scope
    name: str
    period: Period
    rules: RuleSet
    advisers: pd.DataFrame          # one row per adviser (see :func:`assess`)
    villages: pd.DataFrame          # one row per village held in the period
    adviser_units: pd.DataFrame     # indicator (its index in the rules), subject, unit, amount, met
    adviser_facts: Facts            # the advisers' contract months and records (without their worked-out codes)
    counties: pd.DataFrame          # the advisers per county: advisers, mean score, rank
    townships: pd.DataFrame

    # the lists below are sorted once per assessment (a national one: 200,000 advisers; the page shows each of
    # them several times a run); what they return is read, never changed
    @cached_property
    def by_county(self) -> pd.DataFrame:
        """The advisers by county, rank within it and name: the order of the score sheet."""
        return self.advisers.sort_values(["county", "rank_county", "name"], kind="stable")

    @cached_property
    def villages_by_place(self) -> pd.DataFrame:
        """The villages by county, township and code: the order of the village sheet."""
        return self.villages.sort_values(["county", "township", "code"], kind="stable")

    @cached_property
    def best(self) -> pd.DataFrame:
        """The best advisers (as many as the rules' ``best``), highest score first."""
        ranked = self.advisers.sort_values(["score", "name"], ascending=[False, True], kind="stable")
        return ranked.head(self.rules.best)

    @cached_property
    def warning(self) -> pd.DataFrame:
        """The advisers below ``warning_below`` (else in the lowest grade), lowest score first."""
        rows = self.advisers
        below = (rows["score"] < self.rules.warning_below if self.rules.warning_below is not None
                 else rows["grade"] == self.rules.grades[-1].name)
        return rows[below].sort_values(["score", "name"], kind="stable")

    def trace(self, adviser_id: int, lang: str = "zh") -> pd.DataFrame:
        """The units behind each indicator of one adviser: indicator, unit, amount, met."""
        units = self.adviser_units[self.adviser_units["subject"] == adviser_id]
        labels = [indicator_label(ind, lang) for ind in self.rules.indicators]
        shown = [self.rules.indicators[i].unit_text(str(u), lang) for i, u in zip(units["indicator"], units["unit"])]
        return pd.DataFrame({"indicator": units["indicator"].map(lambda i: labels[i]), "unit": shown,
                             "amount": units["amount"], "met": units["met"]}).reset_index(drop=True)

    def records_of(self, adviser_id: int) -> pd.DataFrame:
        """The adviser's records behind the figures: per village, month, mode and class, how many, hours, people."""
        r = self.adviser_facts.records
        return (r[r["subject"] == adviser_id].drop(columns="subject")
                .sort_values(["month", "village", "mode", "cls"]).reset_index(drop=True))


def indicator_label(ind: Indicator, lang: str = "zh") -> str:
    """The indicator's own label from the rule file, else the catalogue's name for its kind."""
    return ind.label or t(ind.label_key, lang)


def indicator_rule(ind: Indicator, lang: str = "zh") -> str:
    """The rule in words: "每月到村服务不少于 4 小时（按顾问）"."""
    values = {"standard": "", "per": "", "at_least": "", "deduct": "", "category": "", **ind.rule_values()}
    per_word = {"adviser": "assess.per.adviser", "village": "assess.per.village", "month": "assess.per.month",
                "quarter": "assess.per.quarter", "year": "assess.per.year", "period": "assess.per.period"}
    if values["per"] in per_word:
        values["per"] = t(per_word[values["per"]], lang)
    if values["category"]:
        values["category"] = t(CATEGORY_KEYS[values["category"]], lang)
    if values.get("no_data") in NO_DATA_KEYS:
        values["no_data"] = t(NO_DATA_KEYS[values["no_data"]], lang)
    for key in ("standard", "at_least", "deduct", "points", "share", "none", "outdated"):
        if isinstance(values.get(key), float):
            values[key] = f"{values[key]:g}"
    text = t(ind.rule_key, lang, **values)
    if ind.get("deduct") is not None and not ind.penalty:
        text += t("assess.rule.deduct", lang, deduct=values["deduct"])
    return text


#: what a satisfaction without enough answers earns, in words
NO_DATA_KEYS = {"full": "assess.no_data.full", "zero": "assess.no_data.zero"}
#: the catalogue's words for each class of service (geo.core.categories) and for all of them
CATEGORY_KEYS = {"consultation": "assess.cat.consultation", "lecture": "assess.cat.lecture",
                 "mediation": "assess.cat.mediation", "contract": "assess.cat.contract",
                 "document": "assess.cat.document", "governance": "assess.cat.governance",
                 "other": "assess.cat.other", "all": "assess.cat.all"}


def _figures(facts: Facts) -> pd.DataFrame:
    c = facts.codes
    records = c.per_month(facts, "records")
    onsite = c.per_month(facts, "records", mode="onsite")
    out = pd.DataFrame({
        "villages": c.count_per_subject(c.held_pairs()[0]),
        "months_served": c.count_per_subject(c.served_pos),
        "onsite_hours": c.per_subject(facts, "hours", mode="onsite").round(2),
        "months_on_site": c.count_per_subject(c.served_pos, (onsite[c.served_cell] > 0).astype(np.float64)),
        "records": records.reshape(c.n, -1).sum(axis=1),
        "onsite_records": onsite.reshape(c.n, -1).sum(axis=1),
        "remote_records": c.per_subject(facts, "records", mode="remote"),
        "lectures": c.per_subject(facts, "records", cls=LECTURE),
        "mediations": c.per_subject(facts, "records", cls=MEDIATION),
        "people": c.per_subject(facts, "people")}, index=facts.subjects)
    for col in FIGURES:
        if col != "onsite_hours":
            out[col] = out[col].round().astype("int64")
    return out


def _scores(facts: Facts, rules: RuleSet, keep_units: bool = True) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The indicator columns (ind{i}_value / _target / _points), score, grade of every subject, and the units
    (None unless `keep_units`: only an adviser's are traced, and a national quarter's villages have six million,
    each indicator's let go once measured)."""
    subjects = facts.subjects
    cols: dict[str, pd.Series] = {}
    all_units = []
    total = pd.Series(0.0, index=subjects)
    for i, ind in enumerate(rules.indicators):
        units = ind.units(facts)
        m = ind.measure(facts, units)
        cols[f"ind{i}_value"], cols[f"ind{i}_target"], cols[f"ind{i}_points"] = m["value"], m["target"], m["points"]
        total = total + m["points"]
        if keep_units:
            all_units.append((i, units[UNIT_COLUMNS]))
        del units
    table = pd.DataFrame(cols, index=subjects, copy=False)     # the measures' columns, not a copy of them
    table["score"] = total.round(2)
    mins = [g.min for g in rules.grades]
    grade_index = np.searchsorted(-np.array(mins), -table["score"].to_numpy() - 1e-9, side="left")
    names = np.array([g.name for g in rules.grades], dtype=object)
    table["grade"] = names[np.minimum(grade_index, len(mins) - 1)]
    pay = {g.name: g.payment_per_village for g in rules.grades}
    table["payment_per_village"] = table["grade"].map(pay).astype(float)
    return table, (_joined_units(all_units) if keep_units else None)


def _joined_units(parts: list[tuple[int, pd.DataFrame]]) -> pd.DataFrame:
    """indicator, subject, unit, amount, met: every indicator's units in one table, the units' texts as one
    categorical (a concat of categoricals of different texts would spell out each of a million rows)."""
    if not parts:
        return pd.DataFrame(columns=["indicator", "subject", "unit", "amount", "met"])
    units = [pd.Categorical(u["unit"]) for _, u in parts]
    return pd.DataFrame({
        "indicator": np.concatenate([np.full(len(u), i, dtype=np.int64) for i, u in parts]),
        "subject": np.concatenate([u["subject"].to_numpy(np.int64) for _, u in parts]),
        "unit": union_categoricals(units, ignore_order=True),
        "amount": np.concatenate([u["amount"].to_numpy(np.float64) for _, u in parts]),
        "met": np.concatenate([u["met"].to_numpy(bool) for _, u in parts])})


def _add_ranks(rows: pd.DataFrame) -> None:
    """rank_county, rank_township added to `rows` (in place: a copy of a national quarter's villages is 200 MB)."""
    for level in ("county", "township"):
        rows[f"rank_{level}"] = rank_within(rows[level].to_numpy(np.int64), rows["score"].to_numpy(np.float64))


def rank_within(group: np.ndarray, score: np.ndarray) -> np.ndarray:
    """The rank of each score within its group, highest first, ties sharing the best rank (1, 2, 2, 4): the
    "min" rank of pandas, by one sort instead of a groupby."""
    n = len(score)
    order = np.lexsort((-score, group))
    g, s = group[order], score[order]
    index = np.arange(n)
    new_group = np.concatenate(([True], g[1:] != g[:-1])) if n else np.zeros(0, bool)
    new_score = new_group | (np.concatenate(([True], s[1:] != s[:-1])) if n else np.zeros(0, bool))
    group_start = np.maximum.accumulate(np.where(new_group, index, 0))
    tie_start = np.maximum.accumulate(np.where(new_score, index, 0))
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = tie_start - group_start + 1
    return ranks


def _unit_table(rows: pd.DataFrame, level: str, names: pd.Series, rules: RuleSet) -> pd.DataFrame:
    """Per county (or township): advisers, mean and lowest score, advisers per grade, ranked by mean score."""
    if rows.empty:
        return pd.DataFrame(columns=["code", "name", "advisers", "mean_score", "min_score", "rank",
                                     *[f"grade_{i}" for i in range(len(rules.grades))]])
    g = rows.groupby(level)
    out = pd.DataFrame({"advisers": g.size(), "mean_score": g["score"].mean().round(2),
                        "min_score": g["score"].min()})
    for i, grade in enumerate(rules.grades):
        out[f"grade_{i}"] = rows[rows["grade"] == grade.name].groupby(level).size().reindex(out.index).fillna(0)
        out[f"grade_{i}"] = out[f"grade_{i}"].astype("int64")
    out = out.reset_index().rename(columns={level: "code"})
    found = names.reindex(out["code"].to_numpy(np.int64)).to_numpy(object)
    out["name"] = [name if isinstance(name, str) else to_str(int(c)) for c, name in zip(out["code"], found)]
    out["code"] = out["code"].map(lambda c: to_str(int(c)))
    out = out.sort_values(["mean_score", "code"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out["rank"] = out["mean_score"].rank(method="min", ascending=False).astype("int64")
    return out


def _place_columns(codes: pd.Series, names: pd.Series) -> pd.DataFrame:
    """county, county_name, township, township_name of 12-digit codes (int); a city without counties (东莞)
    names its own county."""
    county = codes // 10**6 * 10**6
    township = codes // 10**3 * 10**3
    city_name = _named(codes // 10**8 * 10**8, names)
    county_name = _named(county, names).fillna(city_name).fillna("")
    return pd.DataFrame({"county": county.to_numpy(), "county_name": county_name.to_numpy(),
                         "township": township.to_numpy(), "township_name": _named(township, names).fillna("")
                         .to_numpy()}, index=codes.index)


def _named(codes: pd.Series, names: pd.Series) -> pd.Series:
    """The names of `codes` (NaN where none): the few distinct codes looked up, then spread by position."""
    distinct_codes, position = np.unique_inverse(codes.to_numpy(np.int64)) if len(codes) else (np.zeros(0), [])
    found = names.reindex(distinct_codes)
    return pd.Series(found.to_numpy()[position] if len(codes) else [], index=codes.index, dtype=object)


def codes_text(codes: pd.Index | pd.Series) -> list[str]:
    """12-digit codes (int) as the 12-character strings of every output, at once."""
    return pd.Series(np.asarray(codes, dtype=np.int64)).astype(str).str.zfill(12).tolist()


def _adviser_names(facts: Facts, names: pd.Series) -> pd.Series:
    """village -> the names of the advisers who held it in the period, joined with 、: most villages have one,
    looked up at once; only the few with several are joined one by one (a national quarter has 600,000)."""
    c = facts.codes
    pos, village, _ = c.held_pairs()
    name_of = names.reindex(c.subjects).fillna("").astype(str).to_numpy(object)[pos]
    several = np.bincount(village, minlength=len(c.villages))[village] > 1
    out = pd.Series(name_of[~several], index=c.villages[village[~several]], dtype=object)
    shared = pd.DataFrame({"village": c.villages[village[several]], "name": name_of[several]})
    shared = shared.sort_values(["village", "name"])
    joined = {v: "、".join(dict.fromkeys(group)) for v, group in shared.groupby("village")["name"]}
    return pd.concat([out, pd.Series(joined, dtype=object)])


def _home_villages(facts: Facts) -> pd.Series:
    """subject -> the village an adviser held in most months (the first by code when several): where the
    adviser is ranked."""
    c = facts.codes
    pos, village, months = c.held_pairs()
    first = np.lexsort((village, -months, pos))
    pos, village = pos[first], village[first]
    take = np.concatenate(([True], pos[1:] != pos[:-1])) if len(pos) else np.zeros(0, bool)
    return pd.Series(c.villages[village[take]], index=c.subjects[pos[take]])


def _extra(store: Store, scope: Scope, period: Period, rules: RuleSet) -> dict[str, object]:
    """What the rules' indicators read beside contracts and records, read only when one of them needs it: the
    villagers' satisfaction answers of the period, each village's signboard status on its last day."""
    needs = {need for ind in rules.indicators for need in ind.needs}
    extra: dict[str, object] = {}
    if FEEDBACK in needs:
        extra[FEEDBACK] = store.assess_feedback(scope, *FeedbackPeriod(period.start, period.end).utc_bounds())
    if BOARDS in needs:
        listed = reprint_list(store, scope, period.end)
        status = listed["reason"].map(lambda r: NONE if r == "never" else OUTDATED)
        extra[BOARDS] = pd.Series(status.to_numpy(object), index=listed["code"].astype("int64").to_numpy())
    return extra


def assess(store: Store, scope: Scope, period: Period, rules: RuleSet, *, principal: Principal = OPEN
           ) -> Assessment:
    """The assessment of `scope` (narrowed to the principal's jurisdiction) for `period` under `rules`."""
    scope, _ = principal.clamp(store.check_scope(scope))
    if period.kind not in rules.periods:
        raise UserError(key="assess.e.period_kind", params={"period": period.code, "sheet": rules.name})
    contracts = store.assess_contracts(scope, period.start, period.end)
    services = service_records(store, scope, period)
    months = contract_months(contracts, period)
    extra = _extra(store, scope, period, rules)
    adv_facts = facts_of(ADVISER, contracts, services, period, months, extra)
    vil_facts = facts_of(VILLAGE, contracts, services, period, months, extra)
    # the facts hold all the rest reads; what a step no longer needs is let go as it goes (a national quarter:
    # a million groups of records, 1.8 million contract months, 600,000 villages)
    del contracts, services, months
    places = store.assess_places(scope)
    name_of = pd.Series(places["name"].to_numpy(), index=places["code"].to_numpy())
    del places
    name = store.scope_name(scope) if scope.digits else t("level.0")

    adv_scores, adv_units = _scores(adv_facts, rules)
    # an adviser's county and township: those of the village they held in most months
    home = _home_villages(adv_facts)
    people = store.assess_advisers([int(a) for a in adv_facts.subjects]).set_index("adviser_id")
    advisers = pd.concat([_figures(adv_facts), adv_scores], axis=1)
    del adv_scores
    advisers.insert(0, "adviser_id", advisers.index.astype("int64"))
    advisers.insert(1, "name", people["name"].reindex(advisers.index).fillna("").astype(str))
    advisers.insert(2, "org", people["org"].reindex(advisers.index).fillna("").astype(str))
    licence = people["licence_no"].reindex(advisers.index).fillna("").astype(str)
    advisers.insert(3, "licence_no", licence if principal.sees_contacts else "")
    places_of = _place_columns(home.reindex(advisers.index).fillna(0).astype("int64"), name_of)
    advisers = pd.concat([advisers, places_of], axis=1)
    advisers["payment"] = advisers["payment_per_village"] * advisers["villages"]
    _add_ranks(advisers)
    advisers = advisers.reset_index(drop=True)

    names_of_village = _adviser_names(adv_facts, people["name"])
    del people
    adv_facts = adv_facts.without_codes()     # the advisers' codes and sums (70 MB nationally) are done with
    vil_scores, _ = _scores(vil_facts, rules, keep_units=False)
    vil_facts.codes.forget_sums()     # the indicators' tables per month (60 MB nationally): the figures need two
    villages = pd.concat([_figures(vil_facts), vil_scores], axis=1)
    del vil_facts, vil_scores
    villages.insert(0, "code", codes_text(villages.index))
    villages.insert(1, "name", pd.Series(villages.index, index=villages.index).map(name_of).fillna("").to_numpy())
    villages.insert(2, "advisers", names_of_village.reindex(villages.index).fillna("").to_numpy())
    del names_of_village
    villages = pd.concat([villages, _place_columns(pd.Series(villages.index, index=villages.index), name_of)],
                         axis=1)
    villages["payment"] = villages["payment_per_village"]
    _add_ranks(villages)
    villages = villages.reset_index(drop=True)

    counties, townships = (_unit_table(advisers, level, name_of, rules) for level in ("county", "township"))
    return Assessment(scope, name, period, rules, advisers, villages, adv_units, adv_facts,
                      counties, townships)

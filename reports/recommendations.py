"""Section 6 of the report: recommendations that follow from what the monitoring found.

The rules are data (`recommendations.yaml`): a pain rule per category fires for an office
whose share of complaints about it is high or growing, an indicator rule for an office
whose Куд, Кмнк, Уs or Уар is low. Each recommendation carries its findings — which office
and why — so that the report shows where a recommendation comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from models.painmap import PainCell
from reports.data import OrgReport, ReportData
from reports.text import count, inline, percent, quoted, signed
from scoring import levels
from vocabulary.categories import CATEGORIES, CATEGORY_NAMES
from vocabulary.errors import UserError

INDICATOR_NAMES = {"k_ud": "Куд", "k_mnk": "Кмнк", "u_s": "Уs", "u_ar": "Уар", "k_pr": "Кпр", "k_ef": "Кэф"}
TEXTS_FORMS = ("отзыва", "отзывов", "отзывов")  # «из 40 отзывов», «из 21 отзыва»


@dataclass(frozen=True)
class PainRule:
    category: str
    text: str
    min_share: float
    min_growth: float
    min_count: int
    top: int  # the category must be among the office's `top` pains to fire on its share (0: any)


@dataclass(frozen=True)
class IndicatorRule:
    indicator: str
    text: str
    below: float


@dataclass(frozen=True)
class Rules:
    pains: tuple[PainRule, ...]
    indicators: tuple[IndicatorRule, ...]
    fallback: str


@dataclass(frozen=True)
class Finding:
    org: str  # the office's name
    reason: str
    weight: float  # how pressing: the share of complaints, or the gap below the threshold


@dataclass
class Recommendation:
    key: str  # a category or an indicator key; "fallback" when nothing fired
    text: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def weight(self) -> float:
        return max((f.weight for f in self.findings), default=0.0)


def _field(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise UserError(f"Правила рекомендаций: в «{where}» нет ключа «{key}».")
    return data[key]


def parse_rules(data: dict[str, Any]) -> Rules:
    """Rules from the YAML mapping; a rule for an unknown category or indicator is an error,
    so that a typo does not silently switch a recommendation off."""
    defaults = data.get("defaults") or {}
    min_count, top = int(defaults.get("min_count", 1)), int(defaults.get("top", 0))
    pains = []
    for cat, rule in (data.get("pains") or {}).items():
        if cat not in CATEGORIES:
            raise UserError(f"Правила рекомендаций: неизвестная категория «{cat}».")
        pains.append(PainRule(cat, " ".join(str(_field(rule, "text", cat)).split()),
                              float(_field(rule, "min_share", cat)), float(_field(rule, "min_growth", cat)),
                              int(rule.get("min_count", min_count)), int(rule.get("top", top))))
    indicators = []
    for key, rule in (data.get("indicators") or {}).items():
        if key not in INDICATOR_NAMES:
            raise UserError(f"Правила рекомендаций: неизвестный показатель «{key}».")
        indicators.append(IndicatorRule(key, " ".join(str(_field(rule, "text", key)).split()),
                                        float(_field(rule, "below", key))))
    return Rules(tuple(pains), tuple(indicators), " ".join(str(data.get("fallback") or "").split()))


RULES_FILE = Path(__file__).with_name("recommendations.yaml")
CAUSES_FILE = Path(__file__).with_name("causes.yaml")


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> Rules:
    return parse_rules(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


@lru_cache(maxsize=1)
def causes() -> dict[str, str]:
    """Category → how section 2 names it as a cause («невозможностью дозвониться…»)."""
    data = yaml.safe_load(CAUSES_FILE.read_text(encoding="utf-8")) or {}
    return {cat: str(data.get(cat) or inline(CATEGORY_NAMES[cat])) for cat in CATEGORIES}


def pain_finding(rule: PainRule, org: OrgReport, cell: PainCell, previous_label: str) -> Finding | None:
    growth = cell.change
    ranked = [cat for cat, _ in org.top_pains(rule.top)] if rule.top else [rule.category]
    high = cell.share >= rule.min_share and rule.category in ranked
    growing = growth is not None and growth >= rule.min_growth
    if cell.count < rule.min_count or not (high or growing):
        return None
    total = org.pains.texts if org.pains else 0
    reason = (f"жалобы категории {quoted(CATEGORY_NAMES[rule.category])} — {percent(cell.share)} "
              f"отзывов с текстом ({cell.count} из {count(total, TEXTS_FORMS)})")
    if growth is not None and abs(growth) >= 0.005:
        reason += f", {signed(growth)} п. п. к периоду «{previous_label}»"
    return Finding(org.name, reason, cell.share)


def indicator_value(org: OrgReport, key: str) -> float | None:
    """The current value of an indicator; practice indicators only when Кпр was computed."""
    if key == "k_ud":
        return org.scores.current.k_ud
    if key == "k_ef":
        return org.scores.current.k_ef
    if key == "k_pr":
        return org.scores.current.k_pr
    result = org.result
    return getattr(result, key) if result is not None and org.practice_computed else None


def indicator_finding(rule: IndicatorRule, org: OrgReport) -> Finding | None:
    value = indicator_value(org, rule.indicator)
    if value is None or value >= rule.below:
        return None
    reason = (f"{INDICATOR_NAMES[rule.indicator]} = {percent(value)} — "
              f"{inline(levels.level(rule.indicator, value))}")
    return Finding(org.name, reason, rule.below - value)


def recommend(data: ReportData, rules: Rules | None = None) -> list[Recommendation]:
    """Recommendations for the monitored offices: pains first (the most widespread first),
    then weak indicators in the rules' order; the fallback when nothing fires although there
    was something to measure (a period without any data gets no advice at all)."""
    rules = rules or load_rules()
    previous_label = data.previous.label
    pains: list[Recommendation] = []
    for rule in rules.pains:
        rec = Recommendation(rule.category, rule.text)
        for org in data.monitored:
            cell = org.pains.cells.get(rule.category) if org.pains else None
            finding = pain_finding(rule, org, cell, previous_label) if cell else None
            if finding:
                rec.findings.append(finding)
        if rec.findings:
            pains.append(rec)
    pains.sort(key=lambda r: -r.weight)
    indicators = []
    for irule in rules.indicators:
        rec = Recommendation(irule.indicator, irule.text)
        rec.findings = [f for org in data.monitored if (f := indicator_finding(irule, org))]
        if rec.findings:
            indicators.append(rec)
    out = pains + indicators
    measured = any(o.scores.current.k_ud is not None or o.practice_computed for o in data.monitored)
    if not out and rules.fallback and measured:
        out.append(Recommendation("fallback", rules.fallback))
    return out

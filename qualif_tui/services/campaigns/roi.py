"""What a campaign brought back: responses, deals won, revenue against its cost.

A deal counts for a campaign when it was won by one of its recipients within
``days`` days (90 by default) from the campaign's date — attribution by
recipient and time window, as a freelancer would reckon it. The same figures
aggregated by the recipients' contact source (the ``Source`` key: trade show,
web, word of mouth…) say which sources campaigns pay off on; a campaign's cost
is shared among its recipients evenly for that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.keys import QualKey, find_key
from qualif_tui.services.campaigns.core import Campaign, list_campaigns
from qualif_tui.services.campaigns.responses import RESPONSES
from qualif_tui.storage import Database

DEFAULT_DAYS = 90


@dataclass
class Figures:
    """Recipients, responses, deals won, revenue and cost of one line of a ROI table."""

    recipients: int = 0
    responses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RESPONSES, 0))
    deals: int = 0
    revenue: float = 0.0
    cost: float = 0.0

    @property
    def responded(self) -> int:
        return sum(n for state, n in self.responses.items() if state != "none")

    @property
    def net(self) -> float:
        """Revenue less cost."""
        return self.revenue - self.cost

    @property
    def roi(self) -> float | None:
        """(revenue − cost) / cost; None when the campaign cost nothing."""
        return None if self.cost <= 0 else (self.revenue - self.cost) / self.cost

    def add(self, other: Figures) -> None:
        self.recipients += other.recipients
        for state, n in other.responses.items():
            self.responses[state] = self.responses.get(state, 0) + n
        self.deals += other.deals
        self.revenue += other.revenue
        self.cost += other.cost

    def as_json(self) -> dict[str, Any]:
        return {
            "recipients": self.recipients,
            "responses": dict(self.responses),
            "responded": self.responded,
            "deals_won": self.deals,
            "revenue": round(self.revenue, 2),
            "cost": round(self.cost, 2),
            "net": round(self.net, 2),
            "roi": None if self.roi is None else round(self.roi, 4),
        }


@dataclass
class CampaignRoi:
    campaign: Campaign
    figures: Figures

    def as_json(self) -> dict[str, Any]:
        return {"name": self.campaign.name, "channel": self.campaign.channel,
                "date": self.campaign.day, **self.figures.as_json()}


@dataclass
class RoiReport:
    days: int
    campaigns: list[CampaignRoi]
    by_source: dict[str | None, Figures]
    source_key: str | None
    total: Figures

    def as_json(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "campaigns": [c.as_json() for c in self.campaigns],
            "by_source": [{"source": source, **figures.as_json()}
                          for source, figures in self.by_source.items()],
            "source_key": self.source_key,
            "total": self.total.as_json(),
        }


def _window(campaign: Campaign, days: int) -> tuple[str, str]:
    start = date.fromisoformat(campaign.day)
    return start.isoformat(), (start + timedelta(days=days)).isoformat()


def _source_key(db: Database, name: str) -> QualKey | None:
    return find_key(db, name)


def _source_of(key: QualKey | None, raw: Any) -> str | None:
    if key is None or raw is None or raw == "":
        return None
    if key.type == "choice":
        value = key.value_coded(int(raw))
        return value.value if value else None
    if key.type == "multi":
        names = [v.value for v in key.values if int(raw) & (1 << v.code)]
        return ", ".join(names) or None
    return str(raw)


def campaign_figures(db: Database, campaign: Campaign, days: int = DEFAULT_DAYS,
                     key: QualKey | None = None) -> tuple[Figures, dict[str | None, Figures]]:
    """One campaign's figures, and the same split by the value of ``key``."""
    start, end = _window(campaign, days)
    column = f"f.{key.column}" if key is not None else "NULL"
    rows = db.query(
        f"SELECT r.contact_id, r.response, {column} AS source,"
        " (SELECT count(*) FROM deals d WHERE d.contact_id = r.contact_id AND d.stage = 'won'"
        "   AND substr(d.closed_at, 1, 10) BETWEEN ? AND ?) AS won,"
        " (SELECT coalesce(sum(d.amount), 0) FROM deals d WHERE d.contact_id = r.contact_id"
        "   AND d.stage = 'won' AND substr(d.closed_at, 1, 10) BETWEEN ? AND ?) AS revenue"
        " FROM campaign_recipients r JOIN contact_facts f ON f.contact_id = r.contact_id"
        " WHERE r.campaign_id = ?", (start, end, start, end, campaign.id))
    whole = Figures()
    split: dict[str | None, Figures] = {}
    share = campaign.cost / len(rows) if rows else 0.0
    for row in rows:
        source = _source_of(key, row["source"])
        part = split.setdefault(source, Figures())
        for target in (whole, part):
            target.recipients += 1
            target.responses[row["response"]] = target.responses.get(row["response"], 0) + 1
            target.deals += int(row["won"])
            target.revenue += float(row["revenue"])
            target.cost += share
    whole.cost = campaign.cost  # exact, whatever the rounding of the shares
    return whole, split


def roi_report(db: Database, campaigns: list[Campaign] | None = None, *,
               days: int = DEFAULT_DAYS, by: str = "source") -> RoiReport:
    """ROI per campaign (all of them by default) and per contact source."""
    if days < 0:
        raise ValidationError(_("la fenêtre d'attribution ne peut pas être négative"), "days")
    chosen = list_campaigns(db) if campaigns is None else campaigns
    key = _source_key(db, by) if by else None
    report = RoiReport(days, [], {}, key.display_name if key else None, Figures())
    for campaign in chosen:
        whole, split = campaign_figures(db, campaign, days, key)
        report.campaigns.append(CampaignRoi(campaign, whole))
        report.total.add(whole)
        for source, figures in split.items():
            report.by_source.setdefault(source, Figures()).add(figures)
    report.by_source = dict(sorted(report.by_source.items(),
                                   key=lambda item: (-item[1].revenue, item[0] is None,
                                                     item[0] or "")))
    return report

"""The campaign activity-summary workbook (活动总结), built from the same aggregates as the page."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from app.campaigns import analytics
from app.core.multilingual import pick
from app.public.models import Campaign

HEADERS = {
    "zh": {
        "summary": "概况", "days": "每日参与", "units": "机构", "regions": "地区", "tracks": "答题赛道", "questions": "题目",
        "figures": ["参与人数", "答题次数", "完成次数", "完成率(%)", "平均分"],
        "campaign": "活动", "dates": "日期", "credited": "机构推广带来的答题次数", "day": "日期",
        "unit_code": "机构代码", "unit": "机构", "level": "层级", "region": "地区", "not_given": "未填写", "track": "赛道",
        "kinds": {"head_office": "总行", "branch": "分行", "sub_branch": "支行", "department": "部门"},
        "question": ["题号", "题库", "题目", "作答次数", "答错次数", "答错率(%)", "最常选的错误答案", "选择次数", "知识点"],
        "true_false": ("对", "错"),
    },
    "en": {
        "summary": "Summary", "days": "Per day", "units": "Org units", "regions": "Regions", "tracks": "Tracks",
        "questions": "Questions",
        "figures": ["Players", "Plays", "Completed plays", "Completion rate (%)", "Average score"],
        "campaign": "Campaign", "dates": "Dates", "credited": "Plays credited to org units", "day": "Day",
        "unit_code": "Unit code", "unit": "Unit", "level": "Level", "region": "Region", "not_given": "Not given",
        "track": "Track",
        "kinds": {"head_office": "Head office", "branch": "Branch", "sub_branch": "Sub-branch", "department": "Department"},
        "question": ["Question", "Pool", "Stem", "Answers", "Wrong", "Wrong (%)", "Most chosen wrong answer", "Times chosen",
                     "Topics"],
        "true_false": ("True", "False"),
    },
}


def _figures(f: analytics.Figures) -> list:
    return [f.players, f.plays, f.finished, round(f.completion, 1) if f.completion is not None else None,
            round(f.average, 1) if f.average is not None else None]


def campaign_workbook(campaign: Campaign, locale: str) -> bytes:
    h = HEADERS["en" if locale == "en" else "zh"]
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, header: list):
        ws = _TextSafeSheet(book.create_sheet(title))
        cells = []
        for text in header:
            cell = WriteOnlyCell(ws.sheet, value=text)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)
        return ws

    ws = sheet(h["summary"], [h["campaign"], h["dates"], *h["figures"], h["credited"]])
    ws.append([pick(campaign.title, locale), f"{campaign.starts_on.isoformat()} – {campaign.ends_on.isoformat()}",
               *_figures(analytics.summary(campaign)), analytics.credited(campaign)])
    ws = sheet(h["days"], [h["day"], *h["figures"]])
    for day, figures in analytics.per_day(campaign):
        ws.append([day.isoformat(), *_figures(figures)])
    ws = sheet(h["units"], [h["unit_code"], h["level"], h["unit"], *h["figures"]])
    _unit_rows(ws, campaign, None, h["kinds"])
    ws = sheet(h["regions"], [h["region"], *h["figures"]])
    for region, figures in analytics.per_region(campaign):
        ws.append([region or h["not_given"], *_figures(figures)])
    ws = sheet(h["tracks"], [h["track"], *h["figures"]])
    for title, figures in analytics.per_track(campaign):
        ws.append([pick(title, locale), *_figures(figures)])
    ws = sheet(h["questions"], h["question"])
    for q in analytics.per_question(campaign):
        ws.append([q.question.key, q.question.quiz_version.quiz.slug.removeprefix("public/"), pick(q.question.stem, locale),
                   q.answers, q.wrong, round(q.wrong_share, 1) if q.wrong_share is not None else None,
                   analytics.choice_text(q.question, q.top_wrong_choice, locale, h["true_false"]), q.top_wrong_count,
                   "、".join(q.question.tags or [])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _TextSafeSheet:
    """A write-only sheet whose text cells are always text: openpyxl would store a string starting
    with "=" (a unit name such as =HYPERLINK(…) from a roster) as a formula."""

    def __init__(self, sheet):
        self.sheet = sheet

    def append(self, values) -> None:
        self.sheet.append([self._cell(v) for v in values])

    def _cell(self, value):
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.data_type = "s"
            return cell
        return value


def _unit_rows(ws, campaign: Campaign, parent, kinds: dict[str, str]) -> None:
    """The whole org tree with plays, depth-first, each unit's level in its own column (filterable)."""
    for unit, figures in analytics.per_unit(campaign, parent):
        if figures.plays == 0:
            continue
        ws.append([unit.code, kinds.get(str(unit.kind), str(unit.kind)), unit.name, *_figures(figures)])
        _unit_rows(ws, campaign, unit, kinds)

"""Reminder emails: employees with requirements due soon or overdue, and a digest for their HR users."""

from __future__ import annotations

import re
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import select

from app.assignments.models import Reminder, Requirement
from app.auth.models import Role, User, UserRole
from app.content.models import Course, CourseVersion
from app.core import audit
from app.core.multilingual import pick
from app.extensions import db
from app.org.models import OrgUnit

URL_RE = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Mailer:
    """SMTP settings (from the environment: SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD…)."""

    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    sender: str = "xiaobao@localhost"

    @classmethod
    def from_config(cls, config) -> Mailer:
        starttls = str(config.get("SMTP_STARTTLS", "")).strip().lower() in {"1", "true", "yes", "on"}
        return cls(config["SMTP_HOST"], int(config.get("SMTP_PORT", 25)), config.get("SMTP_USER"),
                   config.get("SMTP_PASSWORD"), starttls, config.get("MAIL_FROM"))

    def send(self, messages: list[EmailMessage]) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            for message in messages:
                smtp.send_message(message)


@dataclass(frozen=True)
class Due:
    user: User
    course_title: str
    due_date: date
    overdue: bool


def _due_items(today: date, days: int) -> list[Due]:
    rows = db.session.execute(
        select(Requirement, User, CourseVersion.title)
        .join(User, Requirement.user_id == User.id)
        .join(Course, Requirement.course_id == Course.id)
        .join(CourseVersion, Course.current_version_id == CourseVersion.id)
        .where(Requirement.active.is_(True), Requirement.completed_at.is_(None), User.active.is_(True),
               Requirement.due_date <= today + timedelta(days=days))
        .order_by(User.id, Requirement.due_date)
    ).all()
    return [Due(user, pick(title, user.locale or "zh_Hans"), r.due_date, r.due_date < today) for r, user, title in rows]


def _already_sent(kind: str, today: date) -> set[int]:
    return set(db.session.scalars(select(Reminder.user_id).where(Reminder.kind == kind, Reminder.sent_on == today)))


def _message(mailer: Mailer, to: User, subject: str, lines: list[str]) -> EmailMessage:
    """A message mail systems accept: Date, Message-ID, a plain-text part and the same text as HTML."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = mailer.sender, to.email, subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=mailer.sender.rpartition("@")[2] or "localhost")
    message.set_content("\n".join(lines))
    paragraphs = "".join(f"<p>{_linked(line)}</p>" if line else "" for line in lines)
    message.add_alternative(f"<!doctype html><html><body>{paragraphs}</body></html>", subtype="html")
    return message


def _linked(line: str) -> str:
    """A line as HTML: escaped, with its web address made a link."""
    text = str(escape(line))
    return URL_RE.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', text)


def send_reminders(mailer: Mailer, today: date, days: int, base_url: str) -> tuple[int, int]:
    """Send today's employee reminders and HR digests; return (employees, HR users) mailed."""
    items = _due_items(today, days)
    by_user: dict[int, list[Due]] = defaultdict(list)
    for item in items:
        by_user[item.user.id].append(item)
    done = _already_sent("employee", today)
    messages, records = [], []
    for user_id, dues in by_user.items():
        user = dues[0].user
        if user_id in done or not user.email:
            continue
        messages.append(_employee_message(mailer, user, dues, base_url))
        records.append(Reminder(user_id=user_id, kind="employee", sent_on=today, items=len(dues)))
    digests = _hr_digests(mailer, items, today, base_url)
    mailer.send(messages + [m for m, _record in digests])  # nothing is recorded unless the mail went out
    db.session.add_all(records + [record for _m, record in digests])
    db.session.flush()
    return len(records), len(digests)


def _employee_message(mailer: Mailer, user: User, dues: list[Due], base_url: str) -> EmailMessage:
    with force_locale(user.locale or "zh_Hans"):
        lines = [_("Hello %(name)s,", name=user.name), "", _("These mandatory consumer-protection courses are due:")]
        lines += [(_("OVERDUE") + " " if d.overdue else "") + _("%(course)s — due %(date)s", course=d.course_title,
                                                                 date=d.due_date.isoformat()) for d in dues]
        lines += ["", _("Open your courses: %(url)s", url=base_url.rstrip("/") + "/learn")]
        return _message(mailer, user, _("Xiaobao Academy: courses due"), lines)


@dataclass(frozen=True)
class RemindResult:
    sent: int
    already_today: int
    no_email: int


def remind_now(mailer: Mailer, user_ids: list[int], today: date, base_url: str, *, actor: User) -> RemindResult:
    """HR's "remind now": mail these people about what they have due or overdue, at most once a day each
    (a morning reminder counts), and record it in the audit trail. The caller checks their scope."""
    wanted = set(user_ids)
    dues = [d for d in _due_items(today, 0) if d.user.id in wanted]
    by_user: dict[int, list[Due]] = defaultdict(list)
    for item in dues:
        by_user[item.user.id].append(item)
    done = _already_sent("employee", today)
    ready = {uid: items for uid, items in by_user.items() if uid not in done and items[0].user.email}
    mailer.send([_employee_message(mailer, items[0].user, items, base_url) for items in ready.values()])
    db.session.add_all([Reminder(user_id=uid, kind="employee", sent_on=today, items=len(items))
                        for uid, items in ready.items()])
    audit.record("reminder.manual", actor=actor, target=f"{len(ready)} people", users=sorted(ready))
    db.session.flush()
    return RemindResult(len(ready), sum(1 for uid in by_user if uid in done),
                        sum(1 for uid, items in by_user.items() if uid not in done and not items[0].user.email))


def _hr_digests(mailer: Mailer, items: list[Due], today: date, base_url: str):
    """One digest per HR user covering the people in their subtree."""
    done = _already_sent("hr_digest", today)
    paths = dict(db.session.execute(select(OrgUnit.id, OrgUnit.path)).all())
    result = []
    for hr, scope_path in _hr_recipients():
        if hr.id in done:
            continue
        mine = [d for d in items if paths.get(d.user.org_unit_id, "").startswith(scope_path)]
        if not mine:
            continue
        message = _digest_message(mailer, hr, mine, base_url)
        result.append((message, Reminder(user_id=hr.id, kind="hr_digest", sent_on=today, items=len(mine))))
    return result


def _hr_recipients() -> list:
    """(HR user, their scope's path) for each active HR user with an email address."""
    return db.session.execute(
        select(User, OrgUnit.path).join(OrgUnit, User.hr_scope_id == OrgUnit.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.HR, User.active.is_(True), User.email.is_not(None))
    ).all()


def _digest_message(mailer: Mailer, hr: User, mine: list[Due], base_url: str):
    """The HR user's digest in their language: what is overdue or due soon (the first 200 lines)."""
    overdue = sum(d.overdue for d in mine)
    with force_locale(hr.locale or "zh_Hans"):
        lines = [_("Hello %(name)s,", name=hr.name), "",
                 _("%(overdue)d overdue and %(soon)d due soon in your part of the bank:",
                   overdue=overdue, soon=len(mine) - overdue)]
        lines += [f"{d.user.employee_no or '—'} {d.user.name} — {d.course_title} — {d.due_date.isoformat()}"
                  + (" (" + _("OVERDUE") + ")" if d.overdue else "") for d in mine[:200]]
        if len(mine) > 200:
            lines.append(_("…and %(n)d more: see the overdue list.", n=len(mine) - 200))
        lines += ["", _("Overdue list: %(url)s", url=base_url.rstrip("/") + "/hr/overdue")]
        return _message(mailer, hr, _("Xiaobao Academy: training due in your units"), lines)

"""A year in the demo bank, lived through the real services: assignments made by head-office HR,
new people joining, lessons read, exams failed and passed, role-plays played, certificates earned
on time and late, people left overdue, the first half-year's assessment locked.

Each step runs at its own moment of the past year (the application clock is moved there and back),
so every timestamp, due date and on-time status is what the services themselves would have made.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from app.assignments import rules
from app.assignments import services as assignments
from app.assignments.models import Assignment, Requirement
from app.auth.models import Role, User
from app.auth.passwords import Passwords
from app.auth.services import create_user
from app.content import scenario_graph as engine
from app.content.models import Course, Scenario
from app.core import time as clock
from app.demo.bank import EMAIL_DOMAIN
from app.extensions import db
from app.learning import exams
from app.learning import services as learning
from app.learning.models import Enrollment
from app.org.models import OrgUnit
from app.quizzes import scenario_services as scenarios
from app.reports import periods
from app.reports.assessment import Formula

COUNTER = ["柜员", "大堂经理", "运营主管"]
SALES = ["理财经理", "客户经理"]
NEW_HIRES = [("2026-03-02", "XB1101", "柜员"), ("2026-04-13", "XB3102", "大堂经理"),
             ("2026-06-01", "XB4403", "柜员"), ("2026-07-20", "XB1104", "理财经理"),
             ("2026-09-07", "XB3101", "柜员"), ("2026-10-19", "XB4402", "客户经理"),
             ("2026-11-09", "XB1103", "柜员"), ("2026-11-23", "XB3104", "柜员")]


@dataclass(frozen=True)
class Plan:
    """One mandatory course in the demo: who, which rule, how diligent people are with it."""

    course: str
    rule: rules.DueRule
    positions: tuple[str, ...] = ()
    done_share: float = 0.8  # of the people required, how many finish by today


def already_lived(hr: User) -> bool:
    """True when the demo's assignments exist (the year was seeded before)."""
    return db.session.scalar(select(func.count(Assignment.id)).where(Assignment.created_by_id == hr.id)) > 0


def content_loaded() -> bool:
    """True when the courses the demo year assigns are loaded."""
    return all(_course(plan.course) is not None for plan in _plans(2000))


def live_the_year(*, hr: User, hasher: Passwords, today: date, formula: Formula,
                  rng_seed: int = 1215) -> dict[str, int]:
    """Make the year's assignments and activity; return what was made. The caller commits."""
    rng = random.Random(rng_seed)
    year = today.year
    start = date(year, 1, 5)
    head = db.session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id))
    plans = [plan for plan in _plans(year) if _course(plan.course) is not None]  # content not loaded: nothing to do
    made = {"assignments": 0, "completions": 0, "attempts": 0, "runs": 0, "new_hires": 0}
    if not plans:
        return made
    with _at(start, 9):
        for plan in plans:
            assignments.create_assignment(_course(plan.course), audience=head, positions=list(plan.positions),
                                          rule=plan.rule, actor=hr, scope=None, today=start)
            made["assignments"] += 1
    midyear = date(year, 7, 1)
    # the first half-year: people join, work on what is due, and head-office HR closes it
    _hire(hasher, made, until=min(midyear, today))
    _work(rng, plans, date(year, 1, 6), min(date(year, 6, 30), today), made)
    if today > date(year, 7, 10):
        _second_half(rng, plans, head=head, hr=hr, hasher=hasher, today=today, formula=formula, made=made)
    with _at(today, 7):
        assignments.sync_all(today)
    return made


def _second_half(rng: random.Random, plans: list[Plan], *, head: OrgUnit, hr: User, hasher: Passwords, today: date,
                 formula: Formula, made: dict) -> None:
    """The second half-year opens, head-office HR locks the first, and people join and work until ``today``."""
    year = today.year
    midyear = date(year, 7, 1)
    with _at(midyear, 8):
        assignments.sync_all(midyear)  # the second half-year's requirements open
    with _at(date(year, 7, 10), 17):
        periods.lock(f"{year}H1", root=head, formula=formula, actor=hr)
    _hire(hasher, made, since=midyear, until=today)
    _work(rng, plans, date(year, 7, 11), today, made)


def _plans(year: int) -> list[Plan]:
    start = date(year, 1, 5)
    return [
        Plan("consumer-rights", rules.DueRule("window", "annual", start, window=((1, 1), (6, 30))), done_share=0.9),
        Plan("complaint-handling", rules.DueRule("fixed", "annual", start, due_month_day=(9, 30)), done_share=0.85),
        Plan("personal-info-protection", rules.DueRule("fixed", "annual", start, due_month_day=(12, 31)),
             done_share=0.45),
        Plan("antifraud-counter", rules.DueRule("fixed", "semiannual", start), tuple(COUNTER), done_share=0.8),
        Plan("wealth-insurance-sales", rules.DueRule("fixed", "annual", start, due_month_day=(10, 31)), tuple(SALES),
             done_share=0.75),
        Plan("elderly-accessible-service", rules.DueRule("relative", "once", start, days=30), done_share=0.7),
    ]


def _hire(hasher: Passwords, made: dict, *, until: date, since: date = date.min) -> None:
    """New people join during the year (as the roster would bring them); each new person is due the
    new-hire course 30 days after joining."""
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    for index, (day, unit_code, position) in enumerate(NEW_HIRES, 1):
        joined = date.fromisoformat(day)
        if not since <= joined <= until:
            continue
        with _at(joined, 9):
            number = f"E{200000 + index}"
            create_user(number, name=f"新员工{index:02d}", roles={Role.EMPLOYEE}, hasher=hasher, org_unit=units[unit_code],
                        employee_no=number, position=position, email=f"{number.lower()}@{EMAIL_DOMAIN}")
            db.session.flush()
            db.session.get(User, db.session.scalar(select(User.id).where(User.username == number))).hire_date = joined
            assignments.sync_all(joined)
            made["new_hires"] += 1


def _work(rng: random.Random, plans: list[Plan], first: date, last: date, made: dict) -> None:
    """People work on the requirements open between ``first`` and ``last``: most finish, some late."""
    shares = {p.course: p.done_share for p in plans}
    for _rid, user_id, slug, window_start, due in _open_requirements(last):
        if rng.random() > shares.get(slug, 0.7):
            continue  # this one stays open: overdue once its date has passed
        begin = max(window_start, first)
        if rng.random() < 0.15 and due < last:  # done, but after the due date
            begin, end = max(begin, due + timedelta(days=1)), min(last, due + timedelta(days=rng.randint(3, 40)))
        else:
            end = min(due, last)
        if end < begin:
            continue
        day = begin + timedelta(days=rng.randint(0, (end - begin).days))
        _take_course(rng, db.session.get(User, user_id), _course(slug), day, made)


def _open_requirements(last: date) -> list:
    """(id, user id, course slug, window start, due date) of each open requirement whose window opened by ``last``."""
    return db.session.execute(
        select(Requirement.id, Requirement.user_id, Course.slug, Requirement.window_start, Requirement.due_date)
        .join(Course, Requirement.course_id == Course.id)
        .where(Requirement.active.is_(True), Requirement.completed_at.is_(None), Requirement.window_start <= last)
        .order_by(Requirement.id)
    ).all()


def _take_course(rng: random.Random, user: User, course: Course, day: date, made: dict) -> None:
    """Lessons, the exam (sometimes failed first), the required role-plays (sometimes failed first)."""
    with _at(day, rng.randint(9, 16), rng.randint(0, 59)):
        enrollment = learning.enroll(user, course)
        for lesson in learning.lessons_of(enrollment):
            learning.complete_lesson(enrollment, lesson)
    exam_day = day + timedelta(days=rng.randint(0, 2))
    if rng.random() < 0.2:  # a first try that fails
        _sit_exam(rng, enrollment, exam_day, 0.5, made)
    _sit_exam(rng, enrollment, exam_day + timedelta(days=1), 0.95, made)
    for requirement in enrollment.course_version.scenarios:
        scenario = db.session.get(Scenario, requirement.scenario_version.scenario_id)
        if rng.random() < 0.15:
            _play(scenario, user, exam_day, best=False, made=made)
        _play(scenario, user, exam_day + timedelta(days=1), best=True, made=made)
    if learning.completion_of(enrollment) is not None:
        made["completions"] += 1


def _sit_exam(rng: random.Random, enrollment: Enrollment, day: date, skill: float, made: dict) -> None:
    with _at(day, rng.randint(9, 17), rng.randint(0, 59)) as moment:
        try:
            attempt = exams.start_attempt(enrollment, now=moment, rng=rng)
        except exams.ExamError:
            return  # already passed, or no attempt left
        responses = {answer.position: _response(rng, answer, question, right=rng.random() < skill)
                     for answer, question in exams.attempt_items(attempt)}
        exams.submit_attempt(attempt, responses, now=moment + timedelta(minutes=rng.randint(8, 18)))
        made["attempts"] += 1


def _response(rng: random.Random, answer, question, *, right: bool) -> list[str]:
    """What a demo learner answers: the key, or a plausible wrong choice (a wrong word in a blank)."""
    if question.kind == "fill":
        return [accepted[0] if right else "不清楚" for accepted in question.answer]
    if right:
        return list(question.answer)
    wrong = [key for key in answer.option_order if key not in question.answer] or ["true", "false"]
    return [rng.choice([w for w in wrong if [w] != list(question.answer)] or wrong)]


def _play(scenario: Scenario, user: User, day: date, *, best: bool, made: dict) -> None:
    with _at(day, 14, 30) as moment:
        run = scenarios.start_run(user.id, scenario, now=moment)
        version = run.scenario_version
        graph = engine.graph_from_data(version.data)
        path = list(version.best_path) if best else _poor_path(graph)
        for step, index in enumerate(path):
            if run.status != "in_progress":
                break
            scenarios.choose(run, run.current, step, index, now=moment + timedelta(seconds=40 * (step + 1)))
        made["runs"] += 1


def _poor_path(graph: engine.Graph) -> list[int]:
    """The path of someone who takes the least rewarded reply at every step (a run that fails)."""
    current, path, seen = graph.start, [], set()
    while not graph.is_ending(current) and len(path) < 60:
        choices = graph.nodes[current].choices
        order = sorted(range(len(choices)), key=lambda i: (choices[i].next in seen, sum(choices[i].points.values())))
        index = order[0]
        seen.add(current)
        path.append(index)
        current = choices[index].next
    return path


def _course(slug: str) -> Course:
    return db.session.scalar(select(Course).where(Course.slug == slug))


class _at:
    """Run the services at ``day`` ``hour``:``minute`` in the bank's time zone, then come back to now."""

    def __init__(self, day: date, hour: int, minute: int = 0):
        local = datetime.combine(day, time(hour, minute), tzinfo=clock.zone(clock.business_zone_name()))
        self.moment = local.astimezone(UTC)

    def __enter__(self) -> datetime:
        clock.freeze(self.moment)
        return self.moment

    def __exit__(self, *exc) -> None:
        clock.freeze(None)

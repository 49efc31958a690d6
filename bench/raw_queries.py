"""The raw query of each HR page that bench/run.py compares the page with: the SQL the page needs at
minimum (its rows and figures, only the columns it shows), run directly with text() on the same
connection pool, no ORM objects, no template.

- overdue: the (due date, org path) groups of overdue requirements from requirement_totals in the
  list's order, then the first 500 open requirements past due of the groups that hold them
  (through the partial index ix_requirements_open_org_path_due_date), then the titles of their courses
  (once per course, as the page reads them);
- assignments: each active assignment's course title and audience with its required, completed and
  overdue counts added up from assignment_totals.
"""

from __future__ import annotations

import time

from sqlalchemy import Date, bindparam, text

OVERDUE_GROUPS = text("""
    SELECT t.due_date, t.org_path, sum(t.required - t.completed) AS overdue
    FROM requirement_totals t LEFT JOIN org_units o ON o.path = t.org_path
    WHERE t.active = :yes AND t.period = :period AND t.org_path LIKE :scope AND t.due_date < :today
    GROUP BY t.due_date, t.org_path, o.code HAVING sum(t.required - t.completed) > 0
    ORDER BY t.due_date, o.code
""").bindparams(bindparam("today", type_=Date)).columns(due_date=Date)

OVERDUE_ROWS = text("""
    SELECT u.id, u.employee_no, u.name, o.name, r.course_id, r.due_date
    FROM requirements r JOIN users u ON u.id = r.user_id LEFT JOIN org_units o ON o.id = r.org_unit_id
    WHERE r.active = :yes AND r.period = :period AND r.org_path LIKE :scope
      AND r.completed_on IS NULL AND r.due_date < :today AND r.org_path IN :paths AND r.due_date <= :last
    ORDER BY r.due_date, o.code, u.employee_no
    LIMIT :limit
""").bindparams(bindparam("today", type_=Date), bindparam("last", type_=Date), bindparam("paths", expanding=True))

COURSE_TITLES = text("""
    SELECT c.id, v.title FROM courses c JOIN course_versions v ON v.id = c.current_version_id WHERE c.id IN :ids
""").bindparams(bindparam("ids", expanding=True))

ASSIGNMENTS = text("""
    SELECT a.id, v.title, o.name, t.required, t.completed, t.overdue
    FROM assignments a JOIN courses c ON c.id = a.course_id
         LEFT JOIN course_versions v ON v.id = c.current_version_id
         LEFT JOIN org_units o ON o.id = a.audience_org_id
         LEFT JOIN (SELECT assignment_id, sum(required) AS required, sum(completed) AS completed,
                           sum(CASE WHEN due_date < :today THEN incomplete ELSE 0 END) AS overdue
                    FROM assignment_totals GROUP BY assignment_id) t ON t.assignment_id = a.id
    WHERE a.active = :yes
    ORDER BY a.created_at DESC
""").bindparams(bindparam("today", type_=Date))


def overdue(session, scope_path: str, period: str, today, limit: int = 500) -> list:
    """The overdue list's rows, as the page reads them."""
    where = {"yes": True, "period": period, "scope": scope_path + "%", "today": today}
    groups, total = [], 0
    for due_date, path, count in session.execute(OVERDUE_GROUPS, where):
        groups.append((due_date, path))
        total += count
        if total >= limit:
            break
    if not groups:
        return []
    rows = session.execute(OVERDUE_ROWS, {**where, "paths": sorted({p for _, p in groups}),
                                          "last": max(d for d, _ in groups), "limit": limit}).all()
    titles = dict(session.execute(COURSE_TITLES, {"ids": sorted({row[4] for row in rows})}).all())
    return [(*row[:4], titles.get(row[4]), row[5]) for row in rows]


def assignments(session, today) -> list:
    """The assignments page's rows (head-office HR: the whole bank)."""
    return session.execute(ASSIGNMENTS, {"yes": True, "today": today}).all()


def timed(app, name: str, **kwargs) -> float:
    """Seconds to run one page's raw query in a fresh session (as a request would get)."""
    from app.extensions import db

    function = {"overdue": overdue, "assignments": assignments}[name]
    with app.app_context():
        start = time.perf_counter()
        rows = function(db.session, **kwargs)
        elapsed = time.perf_counter() - start
        db.session.remove()
    assert rows, f"the raw query of {name} found nothing"
    return elapsed

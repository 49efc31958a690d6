"""The benchmark's data generator writes rows the app would write: it breaks when the schema moves.

It writes the bulk tables row by row (executemany on SQLite, COPY on PostgreSQL) rather than
through the services, so a new or removed column is only noticed here: a small bank is generated,
then the report totals the triggers kept are checked against the one status rule.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from sqlalchemy import create_engine, text

from app.assignments import rules
from tests.conftest import REPO, fresh_database_url


def as_date(value) -> date | None:
    """A DATE column's value (SQLite hands back text)."""
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value)[:10])


def test_a_small_generated_bank_has_the_totals_the_status_rule_gives(tmp_path):
    url = fresh_database_url(tmp_path)
    today = date(2026, 11, 20)
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), "--db", url, "--fresh", "--employees", "400",
         "--branches", "2", "--sub-branches", "4", "--courses", "3", "--today", today.isoformat()],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT due_date, completed_on, started_at IS NOT NULL, completed_at IS NOT NULL "
                                     "FROM requirements")).all()
            totals = conn.execute(text("SELECT sum(required), sum(completed), sum(on_time) FROM requirement_totals")).one()
            users = conn.execute(text("SELECT count(*) FROM users WHERE employee_no IS NOT NULL")).scalar()
    finally:
        engine.dispose()
    assert users >= 400 and len(rows) == 400 * 3
    statuses = [rules.status(as_date(due), as_date(on), started, today) for due, on, started, _done in rows]
    assert all(done == (on is not None) for _due, on, _started, done in rows)  # completed_on written with completed_at
    on_time = sum(1 for s in statuses if s == rules.Status.COMPLETED_ON_TIME)
    assert tuple(int(v) for v in totals) == (len(rows), sum(1 for r in rows if r[3]), on_time)
    assert {s.value for s in statuses} >= {"completed_on_time", "completed_late", "overdue"}

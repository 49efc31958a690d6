"""Planning and applying a roster import: new, changed, transferred, leaving and skipped employees.

A plan compares the file with the database and lists every change row by row (what the preview
shows); applying it is one transaction of bulk statements, fast enough for 200,000 rows within a
web request. Afterwards ``roster_applied`` is sent, so that the features that follow the roster
(mandatory training) bring their records up to date in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, func, insert, select, update

from app.auth.models import Role, User, UserRole
from app.core import audit, signals
from app.core.database import BULK_ROWS, refresh_statistics
from app.core.time import utcnow
from app.extensions import db
from app.org.models import OrgKind, OrgUnit
from app.org.services import create_unit
from app.roster.files import DIGITS_RE, EmployeeRow, OrgRow, Roster, RowError, pad_numbers, usual_number_length

CHUNK = 5000  # parameters per statement stay far below SQLite's limit
COMPARED = ("name", "position", "email", "mobile", "hire_date")


@dataclass
class Change:
    """One existing employee the file changes: who, and each field as it is and as it will be."""

    row: EmployeeRow
    user_id: int
    fields: list[tuple[str, object, object]]  # (field, before, after)
    org_before: str | None = None
    reactivated: bool = False


@dataclass
class RosterPlan:
    """What applying the file would do, and every problem that prevents it."""

    new: list[EmployeeRow] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    transferred: list[Change] = field(default_factory=list)
    leaving: list[Change] = field(default_factory=list)
    skipped: list[tuple[EmployeeRow, str]] = field(default_factory=list)  # (row, reason)
    unchanged: int = 0
    new_units: list[OrgRow] = field(default_factory=list)
    renamed_units: list[tuple[OrgRow, str]] = field(default_factory=list)  # (row, name before)
    errors: list[RowError] = field(default_factory=list)
    number_width: int | None = None  # how many digits employee numbers usually have, when they are digits

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new), "changed": len(self.changed), "transferred": len(self.transferred),
            "leaving": len(self.leaving), "skipped": len(self.skipped), "unchanged": self.unchanged,
            "new_units": len(self.new_units), "renamed_units": len(self.renamed_units),
        }


def plan(roster: Roster, scope: OrgUnit | None, *, pad_to: int | None = None) -> RosterPlan:
    """Compare the file with the database; ``scope`` limits what the importer may touch (None: all).

    ``pad_to`` gives back the leading zeros Excel dropped from numeric 工号 cells (the preview's
    "pad to N digits").
    """
    if pad_to:
        pad_numbers(roster, pad_to)
    result = RosterPlan(errors=list(roster.errors))
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    planned_paths = _plan_units(roster, units, scope, result)
    existing = _existing_users([row.employee_no.lower() for row in roster.employees])
    usernames = _taken_usernames([row.employee_no.lower() for row in roster.employees]) - set(existing)
    result.number_width = usual_number_length([row.employee_no for row in roster.employees] + _number_sample())
    for row in roster.employees:
        _plan_row(row, roster, units, planned_paths, existing, usernames, scope, result)
    return result


def _plan_row(row: EmployeeRow, roster: Roster, units, planned_paths, existing, usernames, scope,
              result: RosterPlan) -> None:
    if (error := _placement_error(row, roster, units, planned_paths, scope, result.number_width)) is not None:
        result.errors.append(error)
        return
    key = row.employee_no.lower()
    user = existing.get(key)
    if user is None and key in usernames:
        result.errors.append(roster.employee_error(row.row, "employee_no", "username_taken"))
        return
    if user is None:
        if row.active:
            result.new.append(row)
        else:
            result.skipped.append((row, "left_before_joining"))
        return
    if scope is not None and user.org_unit is not None and not user.org_unit.is_within(scope):
        result.errors.append(roster.employee_error(row.row, "employee_no", "out_of_scope"))
        return
    _classify(row, user, result)


def _placement_error(row: EmployeeRow, roster: Roster, units, planned_paths, scope, width: int | None) -> RowError | None:
    """Why the row cannot be placed (a 工号 that lost its zeros, an unknown or out-of-scope unit); None if it can."""
    if row.number_was_numeric and width and DIGITS_RE.match(row.employee_no) and len(row.employee_no) < width:
        return roster.employee_error(row.row, "employee_no", "lost_zeros",
                                     suggestion=row.employee_no.zfill(width), width=width)
    unit = units.get(row.org_code)
    path = unit.path if unit else planned_paths.get(row.org_code)
    if path is None:
        return roster.employee_error(row.row, "org_code", "unknown_org")
    if scope is not None and not path.startswith(scope.path):
        return roster.employee_error(row.row, "org_code", "out_of_scope")
    return None


def _classify(row: EmployeeRow, user: User, result: RosterPlan) -> None:
    before = {"name": user.name, "position": user.position, "email": user.email or None,
              "mobile": user.mobile or None, "hire_date": user.hire_date}
    fields = [(name, before[name], getattr(row, name)) for name in COMPARED if before[name] != getattr(row, name)]
    org_before = user.org_unit.code if user.org_unit else None
    change = Change(row, user.id, fields, org_before, reactivated=row.active and not user.active)
    if user.active and not row.active:
        result.leaving.append(change)
    elif not user.active and not row.active:
        result.skipped.append((row, "already_left"))
    elif org_before != row.org_code:
        result.transferred.append(change)
    elif fields or change.reactivated:
        result.changed.append(change)
    else:
        result.unchanged += 1


def _existing_users(numbers: list[str]) -> dict[str, User]:
    found = {}
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start:start + CHUNK]
        for user in db.session.scalars(select(User).where(func.lower(User.employee_no).in_(chunk))):
            found[user.employee_no.lower()] = user
    return found


def _taken_usernames(numbers: list[str]) -> set[str]:
    taken = set()
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start:start + CHUNK]
        taken |= set(db.session.scalars(select(func.lower(User.username)).where(func.lower(User.username).in_(chunk))))
    return taken


def _number_sample(size: int = 2000) -> list[str]:
    """Employee numbers already in the bank (a sample is enough to tell their usual length)."""
    return list(db.session.scalars(select(User.employee_no).where(User.employee_no.is_not(None)).limit(size)))


def _plan_units(roster: Roster, units: dict[str, OrgUnit], scope, result: RosterPlan) -> dict[str, str]:
    """Validate org-unit rows; return provisional paths of the new units (parents first)."""
    planned: dict[str, str] = {}
    pending = list(roster.org_units)
    for _ in range(len(pending) + 1):
        if not _plan_units_pass(pending, units, planned, roster, scope, result):
            break
    for row in pending:
        result.errors.append(roster.org_error(row.row, "parent_code", "unknown_org"))
    return planned


def _plan_units_pass(pending: list[OrgRow], units: dict[str, OrgUnit], planned: dict[str, str], roster: Roster,
                     scope, result: RosterPlan) -> bool:
    """One pass over the pending org rows, taking each whose parent is known by now; True if any was."""
    progress = False
    for row in list(pending):
        existing = units.get(row.code)
        if existing is not None:
            pending.remove(row)
            progress = True
            _check_existing_unit(row, existing, roster, scope, result)
            continue
        parent_path = _parent_path(row, units, planned, roster, pending, result)
        if parent_path is None:
            continue  # the parent may be planned later in this pass
        pending.remove(row)
        progress = True
        _plan_new_unit(row, parent_path, planned, roster, scope, result)
    return progress


def _plan_new_unit(row: OrgRow, parent_path: str, planned: dict[str, str], roster: Roster, scope,
                   result: RosterPlan) -> None:
    if scope is not None and not parent_path.startswith(scope.path):
        result.errors.append(roster.org_error(row.row, "code", "out_of_scope"))
        return
    planned[row.code] = f"{parent_path}new:{row.code}/"
    result.new_units.append(row)


def _check_existing_unit(row: OrgRow, existing: OrgUnit, roster: Roster, scope, result: RosterPlan) -> None:
    parent_code = existing.parent.code if existing.parent else None
    if (row.parent_code or None) != parent_code:
        result.errors.append(roster.org_error(row.row, "parent_code", "move_unsupported"))
    elif scope is not None and not existing.is_within(scope):
        result.errors.append(roster.org_error(row.row, "code", "out_of_scope"))
    elif existing.name != row.name:
        result.renamed_units.append((row, existing.name))


def _parent_path(row: OrgRow, units, planned, roster: Roster, pending: list, result: RosterPlan) -> str | None:
    if row.parent_code is None:
        if row.kind != OrgKind.HEAD_OFFICE.value:
            result.errors.append(roster.org_error(row.row, "parent_code", "required"))
            pending.remove(row)
            return None
        return "/"
    if row.parent_code in units:
        return units[row.parent_code].path
    return planned.get(row.parent_code)


def apply(roster_plan: RosterPlan, *, actor: User | None, filename: str, today: date) -> dict[str, int]:
    """Carry out a plan without errors in the current transaction (the caller commits once)."""
    if roster_plan.errors:
        raise ValueError("a roster plan with errors cannot be applied")
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    for row in roster_plan.new_units:  # parents come before children in the plan
        units[row.code] = create_unit(row.code, row.name, OrgKind(row.kind), units.get(row.parent_code))
    for row, _before in roster_plan.renamed_units:
        units[row.code].name = row.name
    db.session.flush()
    _insert_new(roster_plan.new, units)
    _update_existing(roster_plan.changed + roster_plan.transferred, units, active=True)
    _update_existing(roster_plan.leaving, units, active=False)
    if len(roster_plan.new) + len(roster_plan.changed) + len(roster_plan.transferred) >= BULK_ROWS:
        refresh_statistics(db.session, "users", "user_roles")
    db.session.expire_all()
    counts = roster_plan.counts
    signals.roster_applied.send(None, today=today)  # mandatory training follows the people who came, moved, left
    audit.record("roster.import", actor=actor, target=filename, **counts)
    return counts


def _insert_new(rows: list[EmployeeRow], units: dict[str, OrgUnit]) -> None:
    now = utcnow()
    users = User.__table__
    values = [{"username": r.employee_no, "employee_no": r.employee_no, "name": r.name, "position": r.position,
               "email": r.email, "mobile": r.mobile, "hire_date": r.hire_date, "org_unit_id": units[r.org_code].id,
               "active": True, "must_change_password": False, "session_epoch": 0, "created_at": now} for r in rows]
    for start in range(0, len(values), CHUNK):
        db.session.execute(insert(users), values[start:start + CHUNK])
    numbers = [r.employee_no for r in rows]
    for start in range(0, len(numbers), CHUNK):
        ids = db.session.scalars(select(users.c.id).where(users.c.employee_no.in_(numbers[start:start + CHUNK]))).all()
        db.session.execute(insert(UserRole.__table__), [{"user_id": i, "role": Role.EMPLOYEE.value} for i in ids])


def _update_existing(changes: list[Change], units: dict[str, OrgUnit], *, active: bool) -> None:
    users = User.__table__
    statement = update(users).where(users.c.id == bindparam("uid")).values(
        name=bindparam("v_name"), position=bindparam("v_position"), email=bindparam("v_email"),
        mobile=bindparam("v_mobile"), hire_date=bindparam("v_hire_date"), org_unit_id=bindparam("v_org"),
        active=bindparam("v_active"),
        # a leaver's sessions end at once (the same rule as auth.services.deactivate)
        session_epoch=users.c.session_epoch + (0 if active else 1))
    values = [{"uid": c.user_id, "v_name": c.row.name, "v_position": c.row.position, "v_email": c.row.email,
               "v_mobile": c.row.mobile, "v_hire_date": c.row.hire_date, "v_org": units[c.row.org_code].id,
               "v_active": active} for c in changes]
    for start in range(0, len(values), CHUNK):
        db.session.execute(statement, values[start:start + CHUNK])


def people_changed(counts: dict) -> int:
    """How many people a plan (its counts, as kept with the preview) adds, changes, moves or lets go."""
    return sum(counts.get(name, 0) for name in ("new", "changed", "transferred", "leaving"))


def preview(roster_plan: RosterPlan, filename: str) -> dict:
    """The plan as the preview pages show it (plain data, kept beside the upload and paged through)."""
    def employee(row: EmployeeRow) -> list:
        return [row.row, row.employee_no, row.name, row.org_code, row.position, row.hire_date.isoformat()]

    return {
        "filename": filename, "counts": roster_plan.counts, "number_width": roster_plan.number_width,
        "errors": [[e.sheet, e.row, e.letter, e.column, e.reason, list(e.params)]
                   for e in sorted(roster_plan.errors, key=lambda e: (e.sheet, e.row, e.letter))],
        "new": [employee(row) for row in roster_plan.new],
        "changed": [[c.row.row, c.row.employee_no, c.row.name, [[f, _text(b), _text(a)] for f, b, a in c.fields]]
                    for c in roster_plan.changed],
        "transferred": [[c.row.row, c.row.employee_no, c.row.name, c.org_before, c.row.org_code]
                        for c in roster_plan.transferred],
        "leaving": [[c.row.row, c.row.employee_no, c.row.name, c.org_before] for c in roster_plan.leaving],
        "skipped": [[row.row, row.employee_no, row.name, reason] for row, reason in roster_plan.skipped],
        "new_units": [[u.row, u.code, u.name, u.parent_code, u.kind] for u in roster_plan.new_units],
        "renamed_units": [[u.row, u.code, before, u.name] for u, before in roster_plan.renamed_units],
    }


def _text(value) -> str:
    return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)

"""Planning and applying a roster import: new, changed, transferred and leaving employees."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.auth.models import Role, User, UserRole
from app.auth.services import deactivate
from app.core import audit
from app.core.time import utcnow
from app.extensions import db
from app.org.models import OrgKind, OrgUnit
from app.org.roster import EmployeeRow, OrgRow, Roster, RowError
from app.org.services import create_unit


@dataclass
class RosterPlan:
    """What applying the file would do, and every problem that prevents it."""

    new: list[EmployeeRow] = field(default_factory=list)
    changed: list[tuple[EmployeeRow, User]] = field(default_factory=list)
    transferred: list[tuple[EmployeeRow, User]] = field(default_factory=list)
    leaving: list[tuple[EmployeeRow, User]] = field(default_factory=list)
    unchanged: int = 0
    new_units: list[OrgRow] = field(default_factory=list)
    renamed_units: list[tuple[OrgRow, OrgUnit]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new), "changed": len(self.changed), "transferred": len(self.transferred),
            "leaving": len(self.leaving), "unchanged": self.unchanged, "new_units": len(self.new_units),
            "renamed_units": len(self.renamed_units),
        }


def plan(roster: Roster, scope: OrgUnit | None) -> RosterPlan:
    """Compare the file with the database; ``scope`` limits what the importer may touch (None: all)."""
    result = RosterPlan(errors=list(roster.errors))
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    planned_paths = _plan_units(roster, units, scope, result)
    numbers = [row.employee_no.lower() for row in roster.employees]
    existing = {
        u.employee_no.lower(): u
        for u in db.session.scalars(select(User).where(func.lower(User.employee_no).in_(numbers)))
    } if numbers else {}
    usernames = set(db.session.scalars(select(func.lower(User.username)).where(func.lower(User.username).in_(numbers)))) \
        if numbers else set()
    for row in roster.employees:
        unit = units.get(row.org_code)
        path = unit.path if unit else planned_paths.get(row.org_code)
        if path is None:
            result.errors.append(roster.employee_error(row.row, "org_code", "unknown_org"))
            continue
        if scope is not None and not path.startswith(scope.path):
            result.errors.append(roster.employee_error(row.row, "org_code", "out_of_scope"))
            continue
        user = existing.get(row.employee_no.lower())
        if user is None and row.employee_no.lower() in usernames:
            result.errors.append(roster.employee_error(row.row, "employee_no", "username_taken"))
            continue
        if user is None:
            if row.active:
                result.new.append(row)
            else:
                result.unchanged += 1  # a leaver this platform never knew: nothing to do
            continue
        if scope is not None and user.org_unit is not None and not user.org_unit.is_within(scope):
            result.errors.append(roster.employee_error(row.row, "employee_no", "out_of_scope"))
            continue
        _classify(row, user, unit, result)
    return result


def _classify(row: EmployeeRow, user: User, unit: OrgUnit | None, result: RosterPlan) -> None:
    if user.active and not row.active:
        result.leaving.append((row, user))
    elif user.org_unit is None or unit is None or user.org_unit.code != row.org_code:
        result.transferred.append((row, user))
    elif (not user.active or user.name != row.name or user.position != row.position
          or (user.email or None) != row.email or (user.mobile or None) != row.mobile
          or user.hire_date != row.hire_date):
        result.changed.append((row, user))
    else:
        result.unchanged += 1


def _plan_units(roster: Roster, units: dict[str, OrgUnit], scope, result: RosterPlan) -> dict[str, str]:
    """Validate org-unit rows; return provisional paths of the new units (parents first)."""
    planned: dict[str, str] = {}
    pending = list(roster.org_units)
    for _ in range(len(pending) + 1):
        progress = False
        for row in list(pending):
            existing = units.get(row.code)
            if existing is not None:
                pending.remove(row)
                progress = True
                parent_code = existing.parent.code if existing.parent else None
                if (row.parent_code or None) != parent_code:
                    result.errors.append(roster.org_error(row.row, "parent_code", "move_unsupported"))
                elif scope is not None and not existing.is_within(scope):
                    result.errors.append(roster.org_error(row.row, "code", "out_of_scope"))
                elif existing.name != row.name:
                    result.renamed_units.append((row, existing))
                continue
            parent_path = None
            if row.parent_code is None:
                if row.kind != OrgKind.HEAD_OFFICE.value:
                    result.errors.append(roster.org_error(row.row, "parent_code", "required"))
                    pending.remove(row)
                    continue
                parent_path = "/"
            elif row.parent_code in units:
                parent_path = units[row.parent_code].path
            elif row.parent_code in planned:
                parent_path = planned[row.parent_code]
            if parent_path is None:
                continue  # the parent may be planned later in this pass
            pending.remove(row)
            progress = True
            if scope is not None and not parent_path.startswith(scope.path):
                result.errors.append(roster.org_error(row.row, "code", "out_of_scope"))
                continue
            planned[row.code] = f"{parent_path}new:{row.code}/"
            result.new_units.append(row)
        if not progress:
            break
    for row in pending:
        result.errors.append(roster.org_error(row.row, "parent_code", "unknown_org"))
    return planned


def apply(roster_plan: RosterPlan, *, actor: User | None, filename: str) -> dict[str, int]:
    """Carry out a plan without errors in the current transaction (the caller commits once)."""
    if roster_plan.errors:
        raise ValueError("a roster plan with errors cannot be applied")
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    for row in roster_plan.new_units:  # parents come before children in the plan
        units[row.code] = create_unit(row.code, row.name, OrgKind(row.kind), units.get(row.parent_code))
    for row, unit in roster_plan.renamed_units:
        unit.name = row.name
    for row in roster_plan.new:
        user = User(username=row.employee_no, employee_no=row.employee_no, name=row.name,
                    position=row.position, email=row.email, mobile=row.mobile, hire_date=row.hire_date,
                    org_unit=units[row.org_code], role_rows=[UserRole(role=Role.EMPLOYEE)])
        db.session.add(user)
    for row, user in roster_plan.changed + roster_plan.transferred:
        _update(user, row, units[row.org_code])
    for row, user in roster_plan.leaving:
        _update(user, row, units[row.org_code])
        deactivate(user)
    db.session.flush()
    from app.assignments.services import sync_all

    sync_all(utcnow().date())  # people who joined, moved or left get the right requirements now
    counts = roster_plan.counts
    audit.record("roster.import", actor=actor, target=filename, **counts)
    return counts


def _update(user: User, row: EmployeeRow, unit: OrgUnit) -> None:
    user.name, user.position, user.email, user.mobile = row.name, row.position, row.email, row.mobile
    user.hire_date, user.org_unit = row.hire_date, unit
    if row.active:
        user.active = True

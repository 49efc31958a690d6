"""Building and querying the org tree."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.org.models import OrgKind, OrgUnit


class OrgError(ValueError):
    """A request about the org tree that cannot be carried out."""


def create_unit(code: str, name: str, kind: OrgKind, parent: OrgUnit | None = None) -> OrgUnit:
    """Add a unit under ``parent`` and give it its materialised path."""
    if db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is not None:
        raise OrgError(f"org unit code {code!r} already exists")
    unit = OrgUnit(code=code, name=name, kind=kind, parent=parent)
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    unit.depth = parent.depth + 1 if parent else 0
    return unit


def get_by_code(code: str, *, active_only: bool = False) -> OrgUnit | None:
    """The unit with this code, or None (a closed unit too, unless ``active_only``)."""
    query = select(OrgUnit).where(OrgUnit.code == code)
    return db.session.scalar(query.where(OrgUnit.active.is_(True)) if active_only else query)


def unit_in_scope(code: str, scope: OrgUnit | None) -> OrgUnit | None:
    """The unit with this code if it lies within ``scope`` (None: the whole bank), else None: what every
    HR page, export and API call asks before showing a unit."""
    unit = get_by_code(code)
    return unit if unit is not None and (scope is None or unit.is_within(scope)) else None



def org_tree() -> list[OrgUnit]:
    """Every active unit in tree order (a parent before its children)."""
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.active.is_(True)).order_by(OrgUnit.path)))


def limit_below_root(scope: OrgUnit) -> OrgUnit | None:
    """``scope`` as a restriction: None when it is the head office (nothing is out of reach)."""
    return None if scope.parent_id is None else scope

"""The bank's organisation tree."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

if TYPE_CHECKING:  # the type of OrgUnit.users only: org sits below auth and never imports it
    from app.auth.models import User


class OrgKind(enum.StrEnum):
    HEAD_OFFICE = "head_office"
    BRANCH = "branch"
    SUB_BRANCH = "sub_branch"
    DEPARTMENT = "department"


class OrgUnit(db.Model):
    """A head office, branch, sub-branch or department.

    ``path`` is the materialised chain of ids, e.g. ``/1/4/17/``, so that everything under a unit
    is one indexed prefix query: ``path LIKE '/1/4/%'``.
    """

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[OrgKind] = mapped_column(
        Enum(OrgKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    parent: Mapped[OrgUnit | None] = relationship(
        back_populates="children", remote_side="OrgUnit.id"
    )
    children: Mapped[list[OrgUnit]] = relationship(
        back_populates="parent", order_by="OrgUnit.code"
    )
    members: Mapped[list[User]] = relationship(
        back_populates="org_unit", foreign_keys="User.org_unit_id"
    )

    def is_within(self, other: OrgUnit) -> bool:
        """True when this unit is ``other`` or lies below it."""
        return self.path.startswith(other.path)

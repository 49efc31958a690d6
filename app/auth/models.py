"""Accounts and roles."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import UTCDateTime
from app.core.time import utcnow
from app.extensions import db
from app.org.models import OrgUnit


class Role(enum.StrEnum):
    EMPLOYEE = "employee"
    HR = "hr"
    CONTENT_ADMIN = "content_admin"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    """A person who signs in: an employee, HR/compliance staff, a content admin or an admin."""

    __tablename__ = "users"
    # Usernames and employee numbers are one person whatever their letter case (e100021 = E100021):
    # unique indexes on lower(username) and lower(employee_no) are made by the migration only
    # (app.core.database.MIGRATION_ONLY_INDEXES), since autogenerate cannot compare expression indexes.

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    employee_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(255))
    position: Mapped[str] = mapped_column(String(64), default="", server_default="")
    mobile: Mapped[str | None] = mapped_column(String(20))
    hire_date: Mapped[date | None] = mapped_column(Date)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    hr_scope_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    locale: Mapped[str | None] = mapped_column(String(16))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # raised to end every signed-in session of the account (sign-out, new password, role change…)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    org_unit: Mapped[OrgUnit | None] = relationship(
        back_populates="members", foreign_keys=[org_unit_id]
    )
    hr_scope: Mapped[OrgUnit | None] = relationship(foreign_keys=[hr_scope_id])
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[Role]:
        """The roles this account holds."""
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        """True when the account holds any of ``roles``; admins hold every permission."""
        mine = self.roles
        return Role.ADMIN in mine or any(role in mine for role in roles)

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated accounts cannot sign in
        return self.active

    def get_id(self) -> str:
        """Flask-Login's session id: the account and its session epoch, so that raising the epoch
        signs the account out everywhere."""
        return f"{self.id}.{self.session_epoch or 0}"


class SignInThrottle(db.Model):
    """Failed sign-ins counted under one key (an account at a client address, or an address)."""

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class UserRole(db.Model):
    """One role held by one account."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        primary_key=True,
    )

    user: Mapped[User] = relationship(back_populates="role_rows")

"""`flask users ...`: account administration from the shell."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.auth import services
from app.auth.messages import password_message
from app.auth.models import Role
from app.extensions import db
from app.org.services import get_by_code

users_cli = AppGroup("users", help="Manage accounts.")

ERRORS = {
    "username_taken": "username '{username}' is already taken",
    "employee_no_taken": "employee number '{employee_no}' already belongs to another account",
    "username_required": "a username is required",
}


def _message(error) -> str:
    if error.code in ERRORS:
        return ERRORS[error.code].format(**error.params)
    return password_message(error.code)


def _read_password() -> str:
    """The password: typed twice at a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _org_unit(org_code: str | None):
    """The org unit with this code (None when no code is given); an unknown code stops the command."""
    if not org_code:
        return None
    org = get_by_code(org_code)
    if org is None:
        raise click.ClickException(f"no org unit with code '{org_code}'")
    return org


@users_cli.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice([r.value for r in Role]), help="Role (repeat for several).")
@click.option("--org", "org_code", help="Code of the account's org unit (the HR scope for hr).")
@click.option("--name", default="", help="Display name.")
@click.option("--employee-no", default=None, help="Employee number.")
def create(username, roles, org_code, name, employee_no):
    """Create an account; the password is read from standard input (one line)."""
    org = _org_unit(org_code)
    password = _read_password()
    if not password:
        raise click.ClickException("no password given on standard input")
    wanted = {Role(r) for r in roles}
    if Role.HR in wanted and org is None:
        raise click.ClickException("an hr account needs --org: the org unit whose subtree it may see")
    try:
        user = services.create_user(
            username, name=name or username, roles=wanted, password=password, org_unit=org,
            employee_no=employee_no, hasher=current_app.extensions["passwords"],
        )
    except services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(_message(error)) from None
    db.session.commit()
    click.echo(f"created {user.username} ({', '.join(sorted(roles))})")


@users_cli.command("set-password")
@click.argument("username")
def set_password(username):
    """Set an account's password, read from standard input (one line)."""
    user = services.find_user(username)
    if user is None:
        raise click.ClickException(f"no account named '{username}'")
    password = _read_password()
    try:
        services.set_password(user, password, hasher=current_app.extensions["passwords"])
    except services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(_message(error)) from None
    db.session.commit()
    click.echo(f"password set for {user.username}")

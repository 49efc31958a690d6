"""The sentences of the roster import, for the pages and `flask roster import` alike."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from app.core.messages import sheet_problem
from app.roster.files import ACTIVE_WORDS, LEFT_WORDS, RowError


def file_problem(code: str) -> str:
    """Why a whole file cannot be read."""
    if code == "no_header":
        return _("No header row with 工号 and 姓名 (employee number and name) was found in the first ten rows of any "
                 "sheet.")
    return sheet_problem(code)


# reason code → its sentence, given the error's parameters (translated when asked, in the reader's language)
REASONS: dict[str, Callable[[dict], str]] = {
    "required": lambda values: _("a value is required"),
    "missing_column": lambda values: _("this column is missing from the header row"),
    "bad_employee_no": lambda values: _("an employee number has only letters, digits, '-' and '_' (at most 32)"),
    "duplicate_in_file": lambda values: _("the same value appears on an earlier row of this file (letter case does "
                                          "not count)"),
    "bad_date": lambda values: _("not a date, or a date that does not exist (write it as 2024-03-01 or 2024/3/1)"),
    "bad_email": lambda values: _("not an email address"),
    "bad_mobile": lambda values: _("not a mainland mobile number (11 digits starting with 1)"),
    "bad_status": lambda values: _("unknown status: use one of %(words)s", words="、".join(
        w for w in ACTIVE_WORDS + LEFT_WORDS if not w.isascii())),
    "bad_kind": lambda values: _("type must be 总行, 分行, 支行 or 部门"),
    "unknown_org": lambda values: _("no org unit with this code exists or is created by this file"),
    "out_of_scope": lambda values: _("outside the part of the bank you are responsible for"),
    "move_unsupported": lambda values: _("moving an existing org unit to another parent is not done by import; ask "
                                         "an administrator"),
    "username_taken": lambda values: _("this employee number is already the username of another account (a staff "
                                       "or administrator account); give the employee a different number or rename "
                                       "that account"),
    "formula": lambda values: _("this cell is a formula (单元格是公式); paste it as values (选择性粘贴 → 数值) and "
                                "upload again"),
    "refused_character": lambda values: _("contains a character a name may not hold (%(char)s: markup, a control "
                                          "character or an invisible direction mark)", char=values.get("char", "")),
    "too_long": lambda values: _("longer than the %(limit)d characters this field can hold",
                                 limit=values.get("limit", 0)),
    "lost_zeros": lambda values: _("this number looks like %(suggestion)s with its leading zeros lost (Excel stored "
                                   "it as a number); format the column as text, or pad every such number to "
                                   "%(width)d digits below", suggestion=values.get("suggestion", ""),
                                   width=values.get("width", 0)),
}


def reason_text(error: RowError | str) -> str:
    """The sentence for one row problem."""
    code = error if isinstance(error, str) else error.reason
    values = {} if isinstance(error, str) else error.values
    return REASONS[code](values) if code in REASONS else code


def skip_text(code: str) -> str:
    """Why a row changes nothing."""
    return {
        "left_before_joining": lambda: _("marked as left, and not in Xiaobao: nothing to do"),
        "already_left": lambda: _("marked as left, and already deactivated"),
    }.get(code, lambda: code)()


def field_name(name: str) -> str:
    """A roster field as the preview names it."""
    return {"name": _("Name"), "position": _("Position"), "email": _("Email"), "mobile": _("Mobile"),
            "hire_date": _("Hire date"), "org_code": _("Org unit")}.get(name, name)


def cell_name(error: RowError) -> str:
    """'第 3 行 C 列（机构代码）' in the reader's language."""
    return _("row %(row)d, column %(letter)s (%(title)s)", row=error.row, letter=error.letter or "?", title=error.column)


def located(error: RowError) -> str:
    """The cell and what is wrong with it, as one sentence."""
    return _("%(cell)s: %(problem)s", cell=cell_name(error), problem=reason_text(error))


def counts_text(counts: dict[str, int]) -> str:
    return _("%(new)d new, %(changed)d changed, %(transferred)d transferred, %(leaving)d leaving, %(skipped)d skipped, "
             "%(unchanged)d unchanged, %(new_units)d new org units.", **counts)


def imported(counts: dict[str, int]) -> str:
    return _("Roster imported: %(new)d new, %(changed)d changed, %(transferred)d transferred, %(leaving)d left, "
             "%(skipped)d skipped.", **counts)


def nothing_changed(problems: int) -> str:
    return _("%(n)d row problem(s): nothing was changed.", n=problems)


def dry_run() -> str:
    return _("Nothing changed yet: run again with --yes to apply.")


def applied() -> str:
    return _("Applied.")


def kept_reason_text(reason: str, params: list) -> str:
    """The sentence for a problem as the preview keeps it (reason code and parameters)."""
    return reason_text(RowError("", 0, "", reason, "", tuple(tuple(pair) for pair in params)))

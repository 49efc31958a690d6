"""A demo bank: 1 head office, 3 branches, 12 sub-branches and about 200 employees, every one with a
(reserved, undeliverable) email address so that reminders show something at once.

Names, positions and structure are invented; the bank is fictional (示例银行).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.auth.models import Role
from app.auth.passwords import Passwords
from app.auth.services import create_user
from app.extensions import db
from app.org.models import OrgKind, OrgUnit
from app.org.services import create_unit

EMAIL_DOMAIN = "shili-bank.example"  # .example is reserved: demo mail never reaches anyone
HEAD_OFFICE = ("XB0000", "示例银行总行")
BRANCHES = {
    ("XB1100", "示例银行北京分行"): ["朝阳支行", "海淀支行", "西城支行", "通州支行"],
    ("XB3100", "示例银行上海分行"): ["浦东支行", "徐汇支行", "静安支行", "闵行支行"],
    ("XB4400", "示例银行广州分行"): ["天河支行", "越秀支行", "番禺支行", "白云支行"],
}
HEAD_OFFICE_DEPARTMENTS = ["消费者权益保护部", "人力资源部", "个人金融部"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲建国志文斌浩宇欣怡晨阳佳琪子涵梓萱雨桐思远博文嘉怡俊杰")
BRANCH_POSITIONS = [
    ("柜员", 6), ("大堂经理", 1), ("客户经理", 3), ("理财经理", 2), ("运营主管", 1), ("支行行长", 1),
]
DEPARTMENT_POSITIONS = ["消保专员", "培训主管", "产品经理", "投诉处理专员"]
BRANCH_OFFICE_POSITIONS = ["消保专员", "培训主管", "运营主管", "风险经理", "投诉处理专员", "个人金融部经理"]


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    description: str


def already_seeded() -> bool:
    """True when the demo head office exists."""
    return db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == HEAD_OFFICE[0])) is not None


def _name(rng: random.Random, taken: set[str]) -> str:
    while True:
        given = "".join(rng.sample(GIVEN, rng.choice((1, 2))))
        name = rng.choice(SURNAMES) + given
        if name not in taken:
            taken.add(name)
            return name


def seed(*, hasher: Passwords, rng_seed: int = 2026) -> list[Login]:
    """Create the demo organisation and accounts; return the logins to show (random passwords)."""
    rng = random.Random(rng_seed)
    taken: set[str] = set()
    head, branches, units = _organisation()
    employees = _employees(units, rng, taken, hasher)
    logins: list[Login] = []

    def account(username, role_set, description, **kwargs) -> None:
        logins.append(_account(hasher, username, role_set, description, **kwargs))

    account("admin", {Role.ADMIN}, "系统管理员 / system administrator", name="系统管理员", org_unit=head)
    account("content", {Role.CONTENT_ADMIN, Role.EMPLOYEE}, "消保部内容管理员 / content admin",
            name=_name(rng, taken), org_unit=units[0], position="消保专员")
    account("hr_head", {Role.HR, Role.EMPLOYEE}, "总行人力（全行范围）/ head-office HR, whole bank",
            name=_name(rng, taken), org_unit=units[1], hr_scope=head, position="培训主管")
    account("hr_beijing", {Role.HR, Role.EMPLOYEE}, "北京分行人力（仅北京分行）/ Beijing branch HR",
            name=_name(rng, taken), org_unit=branches[0], hr_scope=branches[0], position="培训主管")
    for employee, description in ((employees[3], "员工（柜员）/ employee, teller"),
                                  (employees[20], "员工（大堂经理）/ employee, lobby manager")):
        logins.append(_employee_login(hasher, employee, description))
    db.session.flush()
    return logins


def _account(hasher: Passwords, username: str, role_set: set[Role], description: str, **kwargs) -> Login:
    """A staff account with a random password, and its login to show."""
    password = _password()
    create_user(username, roles=role_set, hasher=hasher, password=password, email=f"{username}@{EMAIL_DOMAIN}",
                **kwargs)
    return Login(username, password, "+".join(sorted(r.value for r in role_set)), description)


def _employee_login(hasher: Passwords, employee, description: str) -> Login:
    """A random password for one of the demo employees, and its login to show."""
    password = _password()
    employee.password_hash = hasher.hash(password)
    return Login(employee.username, password, "employee", f"{employee.name}，{description}")


def _organisation() -> tuple[OrgUnit, list[OrgUnit], list[OrgUnit]]:
    """The head office, its departments, the branches and their sub-branches: (head, branches, units)."""
    head = create_unit(*HEAD_OFFICE, OrgKind.HEAD_OFFICE)
    units: list[OrgUnit] = []
    for index, name in enumerate(HEAD_OFFICE_DEPARTMENTS, 1):
        units.append(create_unit(f"XB00{index:02d}", f"总行{name}", OrgKind.DEPARTMENT, head))
    branches = []
    for (code, name), subs in BRANCHES.items():
        branch = create_unit(code, name, OrgKind.BRANCH, head)
        branches.append(branch)
        units.append(branch)
        for index, sub in enumerate(subs, 1):
            units.append(create_unit(f"{code[:4]}{index:02d}", f"{name}{sub}", OrgKind.SUB_BRANCH, branch))
    return head, branches, units


def _employees(units: list[OrgUnit], rng: random.Random, taken: set[str], hasher: Passwords) -> list:
    """The staff of every unit, by position, numbered E100001 on, hired between 2010 and 2025."""
    employees = []
    for unit in units:
        positions = {
            OrgKind.DEPARTMENT: [(p, 1) for p in DEPARTMENT_POSITIONS],
            OrgKind.BRANCH: [(p, 1) for p in BRANCH_OFFICE_POSITIONS],
        }.get(unit.kind, BRANCH_POSITIONS)
        for position, count in positions:
            for _ in range(count):
                number = f"E{100001 + len(employees)}"
                employee = create_user(
                    number, name=_name(rng, taken), roles={Role.EMPLOYEE}, hasher=hasher, org_unit=unit,
                    employee_no=number, position=position, email=f"{number.lower()}@{EMAIL_DOMAIN}",
                )
                employee.hire_date = date(2010 + rng.randint(0, 15), rng.randint(1, 12), rng.randint(1, 28))
                employees.append(employee)
    return employees


def _password() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(14))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def format_logins(logins: list[Login], base_url: str) -> str:
    """The demo logins as a small table for the console and instance/demo-accounts.txt."""
    lines = [f"Demo logins (示例账号) — {base_url}/login", ""]
    width = max(len(login.username) for login in logins)
    for login in logins:
        lines.append(f"  {login.username.ljust(width)}  {login.password}  {login.description}")
    return "\n".join(lines) + "\n"

"""Build a synthetic bank for the benchmark into DATABASE_URL (SQLite file or PostgreSQL).

    .venv/bin/python bench/generate.py --db sqlite:////tmp/bench/bench.db --fresh
    .venv/bin/python bench/generate.py --db postgresql://postgres@127.0.0.1:55440/xiaobao_bench --fresh

The schema comes from the Alembic migrations (`flask db upgrade`), never from create_all. The org
tree, the courses' assignments and the HR accounts are made through the app's services; the bulk
(50,000 employees, 1,000,000 requirements and the enrolments, exam attempts, completions and
role-play runs behind them) is written with executemany (SQLite) or COPY (PostgreSQL), row for row
what the services would have written (see bench/README.md for the status mix and what is left out).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

HR_USERNAME = "bench_hr"          # head-office HR (scope: whole bank)
HR_BRANCH_USERNAME = "bench_hr_branch"  # HR of the first branch
BENCH_PASSWORD = "Bench-only-passw0rd-2026"  # a synthetic database: the password is no secret
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BATCH_USERS = 2000

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲建国志文斌浩宇欣怡晨阳佳琪子涵梓萱雨桐思远博文嘉怡俊杰")
CITIES = ["北京", "上海", "广州", "深圳", "天津", "重庆", "杭州", "南京", "苏州", "成都", "武汉", "西安", "长沙", "郑州",
          "济南", "青岛", "沈阳", "大连", "哈尔滨", "长春", "福州", "厦门", "合肥", "南昌", "昆明", "贵阳", "南宁", "太原",
          "石家庄", "宁波"]
SUB_NAMES = ["朝阳", "海淀", "西城", "东城", "浦东", "徐汇", "静安", "闵行", "天河", "越秀", "番禺", "白云", "南山", "福田",
             "罗湖", "宝安", "江北", "渝中", "西湖", "滨江", "鼓楼", "玄武", "高新", "经开", "新区", "城东", "城西", "城南",
             "城北", "中山", "人民路", "解放路", "建设路", "和平路"]
BRANCH_POSITIONS = [("柜员", 6), ("大堂经理", 1), ("客户经理", 3), ("理财经理", 2), ("运营主管", 1), ("支行行长", 1)]
OFFICE_POSITIONS = [("消保专员", 1), ("培训主管", 1), ("运营主管", 1), ("风险经理", 1), ("投诉处理专员", 1),
                    ("产品经理", 1)]
COURSE_TOPICS = ["消费者权益保护基础", "投诉处理", "柜面反诈", "适老化服务", "个人信息保护", "理财产品适当性", "信用卡收费",
                 "保险代销规范", "存款业务告知", "营销宣传合规", "无障碍服务", "催收行为规范", "贷款定价公示",
                 "账户服务", "跨境汇款提示", "金融知识宣传", "纠纷多元化解", "残障客户服务", "老年客户防骗", "数据安全"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL"), help="SQLAlchemy URL (default: $DATABASE_URL)")
    parser.add_argument("--fresh", action="store_true",
                        help="start from an empty database (deletes the SQLite file / drops the PG schema)")
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--branches", type=int, default=30)
    parser.add_argument("--sub-branches", type=int, default=469)
    parser.add_argument("--courses", type=int, default=20)
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="the day the data is made for (default: today, UTC); the period is its year")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if not args.db:
        parser.error("--db or DATABASE_URL is required")
    return args


# --------------------------------------------------------------------------------------------- schema

def reset_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    from sqlalchemy import create_engine, text

    from app.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def migrate(url: str) -> None:
    """`flask db upgrade` against the target database, exactly as a deployment does."""
    env = dict(os.environ, DATABASE_URL=url, FLASK_APP="wsgi")
    flask = Path(sys.executable).with_name("flask")
    subprocess.run([str(flask), "db", "upgrade"], cwd=REPO, env=env, check=True)


# --------------------------------------------------------------------------------------------- writing

class Writer:
    """Bulk rows into a table: executemany on SQLite, COPY on PostgreSQL, in the ORM's storage format."""

    def __init__(self, connection):
        self.raw = connection.connection.dbapi_connection
        self.pg = connection.dialect.name == "postgresql"

    def ts(self, value: datetime | None):
        if value is None:
            return None
        if self.pg:
            return value.replace(tzinfo=UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DATETIME format (UTC, naive)

    def day(self, value: date):
        return value if self.pg else value.isoformat()

    def flag(self, value: bool):
        return value if self.pg else int(value)

    def rows(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        cursor = self.raw.cursor()
        names = ", ".join(columns)
        if self.pg:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
        cursor.close()


def certificate_code(number: int) -> str:
    """A unique certificate code in the app's alphabet and shape (XB-XXXX-XXXX-XXXX), from a number."""
    chars = []
    for _ in range(12):
        number, digit = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[digit])
    chars = "".join(reversed(chars))
    return f"XB-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


# --------------------------------------------------------------------------------------------- the bank

def build(args) -> None:
    from sqlalchemy import func, select, text

    from app import create_app
    from app.assignments.rules import DueRule
    from app.assignments.services import create_assignment
    from app.auth.models import Role, User
    from app.auth.services import create_user
    from app.content.models import Course, CourseVersion, Lesson, Quiz, QuizVersion, Scenario, ScenarioVersion
    from app.extensions import db
    from app.org.models import OrgKind
    from app.org.services import create_unit

    rng = random.Random(args.seed)
    today = args.today or datetime.now(UTC).date()
    year = today.year
    period = str(year)
    started = time.perf_counter()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.db})
    with app.app_context():
        if db.session.scalar(select(func.count()).select_from(User)):
            sys.exit("the database already holds users: use --fresh to start again")
        hasher = app.extensions["passwords"]

        # org tree through the service (materialised paths as the app makes them)
        head = create_unit("BK0000", "示例银行总行", OrgKind.HEAD_OFFICE)
        branches, subs = [], []
        per_branch, extra = divmod(args.sub_branches, args.branches)
        for b in range(args.branches):
            city = CITIES[b % len(CITIES)] + ("" if b < len(CITIES) else str(b // len(CITIES) + 1))
            branch = create_unit(f"BK{b + 1:02d}00", f"示例银行{city}分行", OrgKind.BRANCH, head)
            branches.append(branch)
            for s in range(per_branch + (1 if b < extra else 0)):
                name = SUB_NAMES[s % len(SUB_NAMES)] + ("" if s < len(SUB_NAMES) else str(s // len(SUB_NAMES) + 1))
                subs.append(create_unit(f"BK{b + 1:02d}{s + 1:02d}", f"示例银行{city}分行{name}支行",
                                        OrgKind.SUB_BRANCH, branch))
        db.session.flush()
        log(f"org: 1 head office, {len(branches)} branches, {len(subs)} sub-branches")

        # HR accounts through the account service (HR only: not in the employees' audience)
        hr = create_user(HR_USERNAME, name="总行培训主管", roles={Role.HR}, hasher=hasher, password=BENCH_PASSWORD,
                         org_unit=head, hr_scope=head)
        create_user(HR_BRANCH_USERNAME, name="分行培训主管", roles={Role.HR}, hasher=hasher, password=BENCH_PASSWORD,
                    org_unit=branches[0], hr_scope=branches[0])

        # content: lightweight course, exam and role-play versions (the rows reports and transcripts read)
        courses = []
        for index in range(args.courses):
            topic = COURSE_TOPICS[index % len(COURSE_TOPICS)] + ("" if index < len(COURSE_TOPICS) else str(index))
            slug = f"bench-course-{index + 1:02d}"
            quiz = Quiz(slug=f"{slug}-exam")
            quiz_version = QuizVersion(quiz=quiz, number=1, content_hash=f"{index:064x}", title=f"{topic}考试",
                                       titles={"zh_Hans": f"{topic}考试", "en": f"Exam {index + 1}"},
                                       draw_count=20, pass_mark=60, max_attempts=3, time_limit_minutes=30)
            course = Course(slug=slug)
            version = CourseVersion(course=course, number=1, content_hash=f"{index:064x}",
                                    title={"zh_Hans": topic, "zh_Hant": topic, "en": f"Course {index + 1}"},
                                    summary={"zh_Hans": f"{topic}：合成课程。", "en": "A synthetic course."},
                                    minutes=30, exam=quiz_version)
            db.session.add_all([quiz, quiz_version, course, version])
            db.session.flush()
            for position in (1, 2):
                db.session.add(Lesson(course_version_id=version.id, position=position, slug=f"lesson-{position}",
                                      kind="lesson", title={"zh_Hans": f"第{position}课"}, minutes=15,
                                      remember={}, body_html={"zh_Hans": "<p>合成内容。</p>"}, sections={}))
            course.current_version_id, quiz.current_version_id = version.id, quiz_version.id
            courses.append((course, version, quiz_version))
        scenarios = []
        for index in (1, 2):
            scenario = Scenario(slug=f"bench-scenario-{index}")
            scenario_version = ScenarioVersion(scenario=scenario, number=1, content_hash=f"{index:064x}",
                                               title={"zh_Hans": f"情景模拟{index}", "en": f"Role-play {index}"},
                                               data={}, best_path=[])
            db.session.add_all([scenario, scenario_version])
            db.session.flush()
            scenario.current_version_id = scenario_version.id
            scenarios.append(scenario_version)
        db.session.flush()

        # annual assignments for the whole bank through the assignment service (no employees yet, so the
        # service creates no rows; the rows it would create are written below in bulk)
        half_year = (6, 30)
        groups = []
        for index, (course, _version, _quiz) in enumerate(courses):
            end = half_year if index % 2 == 0 else (12, 31)
            rule = DueRule(kind="window", cycle="annual", starts_on=date(year, 1, 1), window=((1, 1), end))
            assignment = create_assignment(course, audience=None, positions=[], rule=rule, actor=hr, scope=None,
                                           today=today)
            groups.append((assignment, date(year, *end)))
        db.session.commit()
        log(f"content: {len(courses)} courses with exams, {len(scenarios)} role-plays; "
            f"{len(groups)} annual assignments ({time.perf_counter() - started:.1f} s)")

        with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA synchronous=OFF")
            writer = Writer(connection)
            ids = {table: (connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar() or 0)
                   for table in ("users", "enrollments", "attempts", "completions", "requirements", "scenario_runs")}
            write_people_and_learning(writer, rng, ids, today, period, head, branches, subs, courses, groups,
                                      scenarios, args.employees)
            connection.commit()
            if writer.pg:
                for table in ("users", "enrollments", "attempts", "completions", "requirements", "scenario_runs"):
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                connection.commit()
        log("ANALYZE (planner statistics, as PostgreSQL's autovacuum / SQLite's PRAGMA optimize would gather)")
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.exec_driver_sql("VACUUM ANALYZE")
            else:
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
        counts = {}
        for table in ("org_units", "users", "courses", "requirements", "enrollments", "attempts", "completions",
                      "scenario_runs"):
            counts[table] = db.session.scalar(text(f"SELECT count(*) FROM {table}"))
        db.session.remove()
        db.engine.dispose()
    log(f"done in {time.perf_counter() - started:.0f} s: " + json.dumps(counts))


def write_people_and_learning(writer: Writer, rng: random.Random, ids: dict, today: date, period: str, head,
                              branches, subs, courses, groups, scenarios, employees: int) -> None:
    """Employees, then per batch of employees: enrolments, attempts, completions, requirements, role-play runs."""
    from app.core.time import business_date

    year = int(period)
    now = datetime.now(UTC).replace(tzinfo=None)
    jan1 = datetime(year, 1, 1)
    last = datetime.combine(today, datetime.min.time()) - timedelta(days=1)  # latest activity: yesterday
    # where people sit: ~300 at head office, 20 per branch office, the rest in sub-branches
    at_head, per_office = min(300, employees // 50), min(20, employees // 500)
    placement = [head] * at_head
    for branch in branches:
        placement += [branch] * per_office
    rest = employees - len(placement)
    for index in range(rest):
        placement.append(subs[index * len(subs) // rest])
    positions = [p for p, weight in BRANCH_POSITIONS for _ in range(weight)]
    office_positions = [p for p, _ in OFFICE_POSITIONS]

    T, D, B = writer.ts, writer.day, writer.flag
    user_cols = ["id", "username", "employee_no", "name", "email", "position", "hire_date", "password_hash",
                 "org_unit_id", "hr_scope_id", "active", "session_epoch", "must_change_password", "created_at"]
    enrollment_cols = ["id", "user_id", "course_id", "cycle", "course_version_id", "status", "started_at",
                       "completed_at", "best_percent"]
    attempt_cols = ["id", "token", "user_id", "enrollment_id", "quiz_version_id", "number", "status", "started_at",
                    "deadline_at", "submitted_at", "score", "max_score", "percent", "passed"]
    completion_cols = ["id", "enrollment_id", "user_id", "course_id", "course_version_id", "completed_at",
                       "completed_on", "percent", "certificate_code"]
    requirement_cols = ["id", "user_id", "course_id", "assignment_id", "period", "window_start", "due_date",
                        "org_unit_id", "org_path", "position", "active", "started_at", "completed_at",
                        "completed_on", "completion_id", "score", "updated_at"]
    run_cols = ["id", "token", "user_id", "scenario_version_id", "number", "status", "current", "steps", "started_at",
                "finished_at", "ending", "outcome", "scores", "competency_percent", "percent", "passed", "red_line"]

    def moment(low: datetime, high: datetime) -> datetime:
        """A working-hours time (08:00–18:00 Beijing = 00:00–10:00 UTC) on a day from low to high."""
        days = max((high - low).days, 0)
        day = low + timedelta(days=rng.randint(0, days))
        return day.replace(hour=rng.randint(0, 9), minute=rng.randint(0, 59), second=rng.randint(0, 59),
                           microsecond=rng.randint(0, 999_999))

    def business_day(moment_: datetime) -> date:
        """The bank's day of a stored (UTC) time, as the app stores it in completed_on."""
        return business_date(moment_ if moment_.tzinfo else moment_.replace(tzinfo=UTC))

    def exam_percent() -> float:
        return float(rng.choices((60, 65, 70, 75, 80, 85, 90, 95, 100), (2, 3, 5, 8, 12, 16, 18, 14, 8))[0])

    next_id = dict(ids)

    def new_id(table: str) -> int:
        next_id[table] += 1
        return next_id[table]

    status_counts = dict.fromkeys(("completed_on_time", "completed_late", "in_progress", "not_started", "overdue"), 0)
    written = 0
    started = time.perf_counter()
    for first in range(0, employees, BATCH_USERS):
        users, user_roles, enrollments, attempts, completions, requirements, runs = [], [], [], [], [], [], []
        for number in range(first, min(first + BATCH_USERS, employees)):
            unit = placement[number]
            user_id = new_id("users")
            employee_no = f"B{number + 1:06d}"
            position = rng.choice(positions if unit.kind == "sub_branch" else office_positions)
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
            hired = date(rng.randint(1995, year - 1), rng.randint(1, 12), rng.randint(1, 28))
            users.append((user_id, employee_no, employee_no, name, None, position, D(hired), None, unit.id, None,
                          B(True), 0, B(False), T(now)))
            user_roles.append((user_id, "employee"))
            for (course, version, quiz_version), (assignment, due) in zip(courses, groups, strict=True):
                due_at = datetime.combine(due, datetime.max.time())
                past_due = due < today
                draw = rng.random()
                if past_due:  # due in June: on time 60 %, late 20 %, overdue 20 % (half of them started)
                    state = ("completed_on_time" if draw < 0.60 else "completed_late" if draw < 0.80 else "overdue")
                else:  # due in December: on time 50 %, in progress 30 %, not started 20 %
                    state = ("completed_on_time" if draw < 0.50 else "in_progress" if draw < 0.80 else "not_started")
                status_counts[state] += 1
                started_at = completed_at = completion_id = score = None
                if state == "completed_on_time":
                    completed_at = moment(jan1 + timedelta(days=3), min(due_at, last))
                elif state == "completed_late":
                    completed_at = moment(datetime.combine(due, datetime.min.time()) + timedelta(days=1), last)
                if completed_at is not None:
                    started_at = max(jan1, completed_at - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 8)))
                elif state == "in_progress" or (state == "overdue" and rng.random() < 0.5):
                    started_at = moment(jan1, last)
                if started_at is not None:  # the enrolment serving this requirement (learning.services.enroll)
                    enrollment_id = new_id("enrollments")
                    score = exam_percent() if completed_at else None
                    enrollments.append((enrollment_id, user_id, course.id, period, version.id,
                                        "completed" if completed_at else "in_progress", T(started_at),
                                        T(completed_at), score))
                    failed_first = rng.random() < (0.25 if completed_at else 0.3)
                    tries = []
                    if failed_first:
                        tries.append((float(rng.choice((30, 40, 45, 50, 55))), False))
                    if completed_at:
                        tries.append((score, True))
                    end = completed_at or max(started_at, last)
                    for attempt_number, (percent, passed) in enumerate(tries, 1):
                        attempt_id = new_id("attempts")
                        at = moment(started_at, end) if not passed else completed_at - timedelta(minutes=25)
                        at = max(at, started_at)
                        attempts.append((attempt_id, f"bench{attempt_id:027d}", user_id, enrollment_id,
                                         quiz_version.id, attempt_number, "submitted", T(at),
                                         T(at + timedelta(minutes=30)), T(at + timedelta(minutes=20)),
                                         percent / 5, 20, percent, B(passed)))
                    if completed_at:  # learning.services.complete_if_done + assignments.record_completion
                        completion_id = new_id("completions")
                        completions.append((completion_id, enrollment_id, user_id, course.id, version.id,
                                            T(completed_at), D(business_day(completed_at)), score,
                                            certificate_code(completion_id)))
                requirements.append((
                    new_id("requirements"), user_id, course.id, assignment.id, period, D(date(year, 1, 1)), D(due),
                    unit.id, unit.path, position, B(True), T(started_at), T(completed_at),
                    D(business_day(completed_at)) if completed_at else None, completion_id, score,
                    T(max(x for x in (completed_at, started_at, jan1) if x is not None)),
                ))
            # role-play: 60 % finished one run this year, 10 % of those a second one
            if rng.random() < 0.6:
                for run_number in (1, 2) if rng.random() < 0.1 else (1,):
                    run_id = new_id("scenario_runs")
                    begin = moment(jan1, last)
                    percent = float(rng.choice((40, 55, 60, 70, 75, 80, 85, 90, 100)))
                    runs.append((run_id, f"benchrun{run_id:024d}", user_id,
                                 scenarios[run_number - 1].id, run_number, "finished", "end", 5, T(begin),
                                 T(begin + timedelta(minutes=12)), "end", "pass" if percent >= 60 else "fail",
                                 "{}", "{}", percent, B(percent >= 60), B(False)))
        writer.rows("users", user_cols, users)
        writer.rows("user_roles", ["user_id", "role"], user_roles)
        writer.rows("enrollments", enrollment_cols, enrollments)
        writer.rows("attempts", attempt_cols, attempts)
        writer.rows("completions", completion_cols, completions)
        writer.rows("requirements", requirement_cols, requirements)
        writer.rows("scenario_runs", run_cols, runs)
        written += len(requirements)
        if first % (BATCH_USERS * 5) == 0 or first + BATCH_USERS >= employees:
            log(f"  {min(first + BATCH_USERS, employees):>6} employees, {written:>8} requirements "
                f"({time.perf_counter() - started:.0f} s)")
    total = sum(status_counts.values())
    log("status mix: " + ", ".join(f"{k} {100 * v / total:.1f} %" for k, v in status_counts.items()))


def main(argv=None) -> None:
    args = parse_args(argv)
    os.environ.pop("DATABASE_URL", None)  # the URL is passed explicitly everywhere below
    if args.fresh:
        reset_database(args.db)
    log(f"migrating {args.db} (flask db upgrade)")
    migrate(args.db)
    build(args)


if __name__ == "__main__":
    main()

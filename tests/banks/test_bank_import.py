"""Question banks in and out, end to end: the CLI writing quizzes/<slug>.yaml, the /admin/banks
upload → preview → apply flow making a new version, exports, and every bundled bank's round trip."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.auth.models import Role
from app.banks import importer, services
from app.content.models import Quiz, QuizVersion
from app.content.questions import load_quiz
from app.content.reader import Issues
from app.content.services import sync_content
from app.core.audit import AuditEvent
from app.extensions import db
from tests.banks.test_sheet import Text, bad_rows, messy_rows, workbook
from tests.conftest import REPO, TINY_COURSE, csrf_token, login, write_tree
from tests.learning.helpers import QUESTION_RE, finish_lessons, open_exam, start_course


def messy_workbook() -> tuple[bytes, dict, int, list]:
    """The acceptance workbook: a note and a merged title above decorated headers, every answer notation,
    填空 and 问答 rows, an empty stem, a duplicate, markup and formula text; (content, good rows, first bad
    row, bad rows)."""
    rows, good = messy_rows()
    start, bad = len(rows) + 1, bad_rows(rows[3])
    rows += [values for values, *_ in bad]
    return workbook({"使用说明": [["请勿修改本表"]], "题库导出": rows}, merged={"题库导出": "A2:M2"}), good, start, bad


@pytest.fixture
def content_root(app, tmp_path):
    """An empty content tree of the test's own, where `flask bank import` writes."""
    root = tmp_path / "content"
    (root / "quizzes").mkdir(parents=True)
    app.config["CONTENT_ROOT"] = str(root)
    return root


def _import(runner, path: Path, *args):
    return runner.invoke(args=["bank", "import", str(path), *args])


def test_the_cli_imports_every_good_row_once_reports_every_bad_row_and_writes_a_checked_bank(runner, content_root,
                                                                                            tmp_path):
    content, good, start, bad = messy_workbook()
    path = tmp_path / "消保题库.xlsx"
    path.write_bytes(content)
    dry = _import(runner, path, "--to", "branch-quiz", "--dry-run")
    assert dry.exit_code == 1 and not (content_root / "quizzes" / "branch-quiz.yaml").exists()

    result = _import(runner, path, "--to", "branch-quiz")
    assert result.exit_code == 1  # some rows were bad
    reported = [line for line in result.output.splitlines() if line.startswith("消保题库.xlsx:")]
    expected_rows = sorted(start + i for i, (_values, _column, reason, _params) in enumerate(bad) if reason)
    assert [int(re.search(r"第(\d+)行", line).group(1)) for line in reported] == expected_rows
    assert any("I列（正确答案）" in line and "“E”" in line for line in reported)
    assert any("E列（选项B (勿删)）" in line and "公式" in line for line in reported)

    bank = content_root / "quizzes" / "branch-quiz.yaml"
    issues = Issues()
    spec = load_quiz(bank, issues)
    assert list(issues) == [] and spec.imported_from == "消保题库.xlsx"
    stems = [q.stem["zh_Hans"] for q in spec.questions]
    assert len(stems) == len(set(stems)) == len(good) + 3  # good rows, the 填空, the <script> and the "=" rows
    assert "<script>alert(1)</script>" in stems
    assert any(q.kind == "fill" and q.answer == [["50", "五十"]] for q in spec.questions)

    again = _import(runner, path, "--to", "branch-quiz")
    assert f"新增0题，修改0题，无变化{len(stems)}题" in again.output
    assert bank.read_text(encoding="utf-8").count("- id:") == len(stems)


def test_a_bank_the_team_writes_takes_changes_but_no_sourceless_new_question(runner, app, content_root, tmp_path):
    (content_root / "quizzes" / "rights.yaml").write_text((REPO / "quizzes" / "consumer-rights.yaml")
                                                          .read_text(encoding="utf-8"), encoding="utf-8")
    spec = load_quiz(content_root / "quizzes" / "rights.yaml", Issues())
    first = spec.questions[0]
    rows = [["编号", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析"],
            [first.key, "单选题", first.stem["zh_Hans"], *[t["zh_Hans"] for _k, t in first.options][:4],
             first.answer[0], "改写后的解析"],
            ["", "判断题", "这是一道没有依据的新题。", None, None, None, None, "对", ""]]
    path = tmp_path / "edit.xlsx"
    path.write_bytes(workbook({"题库": rows}))
    result = _import(runner, path, "--to", "rights")
    assert "新增0题，修改1题" in result.output and "第3行" in result.output and result.exit_code == 1
    after = load_quiz(content_root / "quizzes" / "rights.yaml", Issues())
    changed = next(q for q in after.questions if q.key == first.key)
    assert changed.explanation["zh_Hans"] == "改写后的解析" and changed.rule == first.rule and changed.basis == first.basis
    assert len(after.questions) == len(spec.questions)


@pytest.mark.parametrize("name", ["bank.xml", "bank.gift", "bank.txt"])
def test_moodle_gift_and_aiken_files_import_through_the_cli(runner, content_root, tmp_path, name):
    texts = {
        "bank.xml": """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/消保/投诉处理</text></category></question>
  <question type="multichoice">
    <name><text>complaint-days</text></name>
    <questiontext format="html"><text><![CDATA[<p>银行应在收到投诉之日起多少日内作出处理决定？</p>]]></text></questiontext>
    <generalfeedback format="html"><text>《银行业保险业消费投诉处理管理办法》</text></generalfeedback>
    <single>true</single>
    <answer fraction="100"><text>15日</text></answer>
    <answer fraction="0"><text>30日</text></answer>
    <answer fraction="0"><text>60日</text></answer>
  </question>
  <question type="truefalse">
    <name><text>tf</text></name>
    <questiontext format="plain_text"><text>存款保险实行限额偿付。</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="essay"><name><text>e</text></name><questiontext><text>请论述。</text></questiontext></question>
</quiz>
""",
        "bank.gift": """// 消保题库
$CATEGORY: 消保/投诉处理

::days::银行应在收到投诉之日起多少日内作出处理决定？ {=15日 ~30日 ~60日 ####《银行业保险业消费投诉处理管理办法》}

::cap::存款保险最高偿付限额为人民币{=50 =五十}万元。

::tf::存款保险实行限额偿付。{T}

::essay::请论述投诉处理流程。{}
""",
        "bank.txt": """银行应在收到投诉之日起多少日内作出处理决定？
A. 15日
B. 30日
C. 60日
ANSWER: A

存款保险的最高偿付限额是？
A. 20万元
B. 50万元
ANSWER: C
""",
    }
    path = tmp_path / name
    path.write_text(texts[name], encoding="utf-8")
    result = _import(runner, path, "--to", "imported")
    spec = load_quiz(content_root / "quizzes" / "imported.yaml", Issues())
    kinds = sorted(q.kind for q in spec.questions)
    assert kinds == {"bank.xml": ["single", "truefalse"], "bank.gift": ["fill", "single", "truefalse"],
                     "bank.txt": ["single"]}[name]
    assert result.exit_code == 1  # the essay (or the Aiken answer outside its options) is reported
    assert "15日" in [t["zh_Hans"] for q in spec.questions for _k, t in q.options]


FORMATS = ["xlsx", "moodle", "gift", "aiken"]
FILE_NAMES = {"xlsx": "bank.xlsx", "moodle": "bank.xml", "gift": "bank.gift", "aiken": "bank.txt"}


def test_every_bundled_bank_comes_back_the_same_from_every_format(bundled_content):
    quizzes = [q for q in db.session.scalars(select(Quiz)) if services.importable(q)]
    assert len(quizzes) >= 16
    for quiz in quizzes:
        original = services.questions_of(quiz.current_version)
        for fmt in FORMATS:
            content, _name, _type, skipped = services.export(quiz.current_version, fmt)
            parsed = importer.read(FILE_NAMES[fmt], content)
            kept = [q for q in original if q not in skipped]
            assert parsed.problems == [], (quiz.slug, fmt, parsed.problems[:3])
            assert [_shape(q, fmt) for q in parsed.questions] == [_shape(q, fmt) for q in kept], (quiz.slug, fmt)
            if fmt == "aiken":
                assert {q.kind for q in skipped} <= {"multiple", "truefalse", "fill"}
            else:
                assert skipped == [], (quiz.slug, fmt)


def _shape(question, fmt: str) -> tuple:
    """What a format keeps of a question: everything but Aiken's explanation, key and tags."""
    kept = (question.kind, question.stem, tuple(question.options), repr(question.answer))
    return kept if fmt == "aiken" else (*kept, question.explanation, question.key)


# --- the web import -------------------------------------------------------------------------------

def _admin(client, make_user):
    make_user("content", roles=(Role.CONTENT_ADMIN,), unit="HO")
    login(client, "content")


def _upload(client, content: bytes, filename: str, **fields):
    token = csrf_token(client, "/admin/banks/import")
    data = {"csrf_token": token, "file": (io.BytesIO(content), filename), "target": "__new__", **fields}
    return client.post("/admin/banks/import", data=data, content_type="multipart/form-data")


def test_only_content_admins_reach_the_bank_pages(client, make_user, bundled_content):
    make_user("emp")
    login(client, "emp")
    for url in ("/admin/banks", "/admin/banks/import", "/admin/banks/template.xlsx",
                "/admin/banks/view/complaint-handling"):
        assert client.get(url).status_code == 403
    token = csrf_token(client, "/learn")
    assert client.post("/admin/banks/download", data={"csrf_token": token, "slug": "complaint-handling",
                                                      "format": "xlsx"}).status_code == 403


def test_a_web_import_previews_then_becomes_a_new_kept_and_audited_version(client, make_user, bundled_content, app):
    _admin(client, make_user)
    content, good, start, bad = messy_workbook()
    response = _upload(client, content, "题库.xlsx", new_slug="branch-quiz", title="分行消保题库")
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    new = len(good) + 3
    assert f'data-count="new">{new}<' in preview
    assert f'data-count="problems">{sum(1 for b in bad if b[2])}<' in preview
    assert "第41行 I列（正确答案）" in preview and "&lt;script&gt;alert(1)&lt;/script&gt;" in preview
    assert "<script>alert(1)" not in preview
    assert db.session.scalar(select(func.count()).select_from(Quiz).where(Quiz.slug == "branch-quiz")) == 0

    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', preview).group(1)
    applied = client.post("/admin/banks/import/apply", data={"csrf_token": csrf_token(client, "/admin/banks"),
                                                             "token": token})
    assert applied.status_code == 302 and applied.headers["Location"].endswith("/admin/banks/view/branch-quiz")
    version = db.session.scalar(select(QuizVersion).join(Quiz, QuizVersion.quiz_id == Quiz.id)
                                .where(Quiz.slug == "branch-quiz"))
    assert (version.origin, version.source_name, len(version.questions)) == ("upload", "题库.xlsx", new)
    assert (Path(app.instance_path) / "banks-kept" / version.source_file).read_bytes() == content
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bank.import"))
    assert event is not None and event.target == "branch-quiz"
    again = client.post("/admin/banks/import/apply", data={"csrf_token": csrf_token(client, "/admin/banks"),
                                                           "token": token})
    assert again.status_code == 302 and db.session.scalar(select(func.count()).select_from(QuizVersion)
                                                          .where(QuizVersion.quiz_id == version.quiz_id)) == 1

    page = client.get("/admin/banks/view/branch-quiz")
    assert page.status_code == 200 and "题库.xlsx" in page.get_data(as_text=True)
    yaml_file = client.post("/admin/banks/download", data={"csrf_token": csrf_token(client, "/admin/banks"),
                                                           "slug": "branch-quiz", "number": 1, "format": "yaml"})
    assert yaml_file.status_code == 200 and b"imported_from:" in yaml_file.data
    assert client.get("/admin/banks/download").status_code == 405  # downloads of answer keys are POSTs


def test_exports_keep_markup_and_formula_text_inert(client, make_user, bundled_content):
    _admin(client, make_user)
    content, *_ = messy_workbook()
    response = _upload(client, content, "题库.xlsx", new_slug="inert")
    token = re.search(r"/import/([0-9a-f]{32})", response.headers["Location"]).group(1)
    client.post("/admin/banks/import/apply", data={"csrf_token": csrf_token(client, "/admin/banks"), "token": token})
    downloads = {}
    for fmt in ("xlsx", "moodle", "gift", "aiken"):
        answer = client.post("/admin/banks/download", data={"csrf_token": csrf_token(client, "/admin/banks"),
                                                            "slug": "inert", "format": fmt})
        assert answer.status_code == 200
        downloads[fmt] = answer.data
    sheet = load_workbook(io.BytesIO(downloads["xlsx"]))["题库"]
    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any(c.value == "=1+1 的结果" and c.data_type == "s" for c in cells)  # text, never a formula
    assert all(c.data_type != "f" for c in cells)
    assert b"<script>" not in downloads["moodle"] and b"&lt;script&gt;" in downloads["moodle"]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "bank.export")) == 4


def test_an_uploaded_version_survives_a_sync_until_its_file_changes(client, make_user, bundled_content, app, tmp_path):
    _admin(client, make_user)
    version = db.session.scalar(select(Quiz).where(Quiz.slug == "complaint-handling")).current_version
    exported, *_ = services.export(version, "xlsx")
    book = load_workbook(io.BytesIO(exported))
    book["题库"]["N2"] = "解析改写：以《银行业保险业消费投诉处理管理办法》为准。"
    buffer = io.BytesIO()
    book.save(buffer)
    token = csrf_token(client, "/admin/banks/import")
    response = client.post("/admin/banks/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(buffer.getvalue()), "complaints.xlsx"), "target": "complaint-handling"})
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-count="changed">1<' in preview and 'data-count="new">0<' in preview
    token = re.search(r"/import/([0-9a-f]{32})", response.headers["Location"]).group(1)
    client.post("/admin/banks/import/apply", data={"csrf_token": csrf_token(client, "/admin/banks"), "token": token})
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "complaint-handling"))
    assert quiz.current_version.origin == "upload" and quiz.current_version.number == version.number + 1

    report = sync_content(REPO)
    db.session.commit()
    assert quiz.current_version.origin == "upload"
    assert any("complaint-handling" in line and "/admin/banks" in line for line in report.unchanged)


def test_markup_and_formula_text_from_an_import_stay_inert_on_the_exam_pages(client, make_user, runner, content_root,
                                                                           tmp_path):
    files = {name: body for name, body in TINY_COURSE.items() if not name.startswith("quizzes/")}
    write_tree(content_root, files)
    rows = [["题型", "题干", "选项A", "选项B", "选项C", "答案", "解析"],
            ["单选题", "<script>alert(1)</script>哪项正确？", Text('=HYPERLINK("http://evil.example","点我")'), "<b>粗</b>",
             "存款保险", "C", "<img src=x onerror=alert(2)>"],
            ["填空题", "存款保险最高偿付限额为人民币（ ）万元。", None, None, None, "50#五十", "《存款保险条例》"]]
    path = tmp_path / "inert.xlsx"
    path.write_bytes(workbook({"题库": rows}))
    assert _import(runner, path, "--to", "tiny-exam").exit_code == 0
    sync_content(content_root)
    db.session.commit()

    make_user("emp")
    login(client, "emp")
    start_course(client, "tiny-course")
    finish_lessons(client, "tiny-course", ["01-intro", "case-01"])
    url, page = open_exam(client, "tiny-course")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;粗&lt;/b&gt;" in page and '=HYPERLINK(&#34;http://evil.example&#34;' in page.replace("&quot;", "&#34;")
    blocks = dict(QUESTION_RE.findall(page))
    choice = next(p for p, block in blocks.items() if "HYPERLINK" in block)
    key = re.search(r'value="([A-H])"[^>]*>\s*<span class="optletter">[A-H]\.</span> 存款保险', blocks[choice]).group(1)
    fill = next(p for p in blocks if p != choice)
    response = client.post(url, data={"csrf_token": csrf_token(client, url), f"q{choice}": key, f"q{fill}": "五十"})
    results = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "100%" in results and "<img src=x" not in results and "&lt;img src=x onerror=alert(2)&gt;" in results

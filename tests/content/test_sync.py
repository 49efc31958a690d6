"""Loading content into the database: atomic, versioned, sanitised, converted to Traditional."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.content import markdown
from app.content.models import Course, CourseVersion, Lesson, Question, QuizVersion
from app.content.services import ContentInvalid, sync_content
from app.extensions import db
from tests.conftest import TINY_COURSE, write_tree


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Course, CourseVersion, Lesson, QuizVersion, Question)
    )


def test_sync_twice_creates_no_new_version(app, tmp_path):
    root = write_tree(tmp_path, TINY_COURSE)
    first = sync_content(root)
    db.session.commit()
    assert first.created == ["quiz tiny-exam", "course tiny-course"]
    before = _counts()
    second = sync_content(root)
    db.session.commit()
    assert second.created == [] and second.updated == []
    assert _counts() == before == (1, 1, 2, 1, 3)


def test_changed_lesson_makes_a_new_immutable_version(app, tmp_path):
    root = write_tree(tmp_path, TINY_COURSE)
    sync_content(root)
    db.session.commit()
    old_version = db.session.scalar(select(Course)).current_version
    old_html = old_version.lessons[0].body_html["zh_Hans"]
    lesson = root / "courses/tiny-course/01-intro.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("一个情景", "另一个情景"), encoding="utf-8")
    report = sync_content(root)
    db.session.commit()
    assert report.updated == ["course tiny-course"]
    course = db.session.scalar(select(Course))
    assert course.current_version.number == 2
    assert "另一个情景" in course.current_version.lessons[0].body_html["zh_Hans"]
    db.session.refresh(old_version)
    assert old_version.lessons[0].body_html["zh_Hans"] == old_html


def test_changed_question_bank_versions_the_quiz_and_the_course(app, tmp_path):
    root = write_tree(tmp_path, TINY_COURSE)
    sync_content(root)
    db.session.commit()
    bank = root / "quizzes/tiny-exam.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("pass_mark: 60", "pass_mark: 70"), encoding="utf-8")
    report = sync_content(root)
    db.session.commit()
    assert set(report.updated) == {"quiz tiny-exam", "course tiny-course"}
    course = db.session.scalar(select(Course))
    assert course.current_version.exam.pass_mark == 70


def test_one_broken_file_changes_nothing(app, tmp_path):
    root = write_tree(tmp_path, TINY_COURSE)
    sync_content(root)
    db.session.commit()
    before = _counts()
    lesson = root / "courses/tiny-course/01-intro.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("一个情景", "改过的情景"), encoding="utf-8")
    bank = root / "quizzes/tiny-exam.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("answer: B", "answer: Z"), encoding="utf-8")
    with pytest.raises(ContentInvalid) as error:
        sync_content(root)
    db.session.rollback()
    assert any("answer 'Z' is not among the options" in str(i) for i in error.value.issues)
    assert _counts() == before
    assert "改过的情景" not in db.session.scalar(select(Lesson)).body_html["zh_Hans"]


def test_sync_command_with_a_broken_file_exits_non_zero_and_loads_nothing(app, runner, tmp_path):
    root = write_tree(tmp_path, TINY_COURSE)
    bank = root / "quizzes/tiny-exam.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("draw: 3", "draw: many"), encoding="utf-8")
    app.config["CONTENT_ROOT"] = str(root)
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code != 0
    assert "tiny-exam.yaml:2: 'draw' must be a whole number" in result.output
    assert "nothing was loaded" in result.output
    assert _counts() == (0, 0, 0, 0, 0)


def test_traditional_chinese_is_derived_with_opencc(tiny_content):
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "01-intro"))
    assert lesson.title["zh_Hant"] == "第一課"
    assert "櫃面上的一個情景" in lesson.body_html["zh_Hant"]
    assert lesson.remember["zh_Hant"] == ["要點一", "要點二"]


def test_case_study_is_split_into_its_sections(tiny_content):
    case = db.session.scalar(select(Lesson).where(Lesson.slug == "case-01"))
    keys = [key for key, _ in case.sections["zh_Hans"]]
    assert keys == ["background", "events", "analysis", "rules", "outcome", "lessons", "discussion"]
    assert "背景文字" in case.sections["zh_Hans"][0][1]


@pytest.mark.parametrize(
    ("source", "absent"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "href=\"javascript:"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ('<p style="background:url(x)">x</p>', "style="),
    ],
)
def test_markdown_is_sanitised(source, absent):
    assert absent not in markdown.render(source)


def test_markdown_keeps_tables_images_and_links():
    html = markdown.render("| a | b |\n|---|---|\n| 1 | 2 |\n\n![图](https://example.org/a.png)\n\n[链接](https://example.org)")
    assert "<table>" in html and "<td>1</td>" in html
    assert '<img src="https://example.org/a.png" alt="图">' in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer"' in html

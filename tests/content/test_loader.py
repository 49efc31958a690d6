"""The content checker: every mistake reported as file:line: message, nothing missed."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.content.loader import load_tree
from tests.conftest import REPO, TINY_COURSE, write_tree

PLANTED = """\
title: 有三处错误的题库
draw: 1
questions:
  - id: q1
    type: single
    stem: 题干
    options:
      A: 甲
      B: 乙
      C: 丙
    answer: D
    explanation: 解析
    tags: [测试]
    rule: 规则
    basis: [§2]
  - id: q2
    type: truefalse
    stem: 题干二
    explanation: 解析
    tags: [测试]
    rule: 规则
    basis: [§2]
    difficulty: hard
  - id: q3
    type: truefalse
    stem: 题干三
    answer: 对
    explanation: 解析
    tags: [测试]
    rule: 规则
    basis: [§2]
"""


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_bundled_content_has_no_problems():
    bundle, issues = load_tree(REPO)
    assert [str(i) for i in issues] == []
    assert {"consumer-rights", "complaint-handling"} <= set(bundle.courses)


@pytest.mark.parametrize("slug", ["consumer-rights", "complaint-handling"])
def test_bundled_courses_meet_the_curriculum_minimums(slug):
    bundle, _ = load_tree(REPO)
    course = bundle.courses[slug]
    kinds = [lesson.kind for lesson in course.lessons]
    assert kinds.count("lesson") >= 4 and kinds.count("case") >= 2
    exam = bundle.quizzes[course.exam]
    assert len(exam.questions) >= 30
    assert all(q.explanation.get("zh_Hans") and q.rule and q.tags for q in exam.questions)


def test_three_planted_mistakes_give_three_located_errors(tmp_path):
    bank = tmp_path / "bad-bank.yaml"
    bank.write_text(PLANTED, encoding="utf-8")
    _, issues = load_tree(REPO, [bank])
    lines = sorted((i.line, i.message) for i in issues)
    assert len(lines) == 3, lines
    assert lines[0][0] == _line(PLANTED, "answer: D") and "answer 'D' is not among the options" in lines[0][1]
    assert lines[1][0] == _line(PLANTED, "id: q2") and "missing 'answer'" in lines[1][1]
    assert lines[2][0] == _line(PLANTED, "difficulty: hard") and "unknown key 'difficulty'" in lines[2][1]


def test_duplicate_question_ids_are_reported_at_the_second_use(tmp_path):
    bank = tmp_path / "dup.yaml"
    text = (PLANTED.replace("answer: D", "answer: B").replace("    difficulty: hard\n", "")
            .replace("stem: 题干二\n", "stem: 题干二\n    answer: 错\n").replace("id: q3", "id: q1"))
    bank.write_text(text, encoding="utf-8")
    _, issues = load_tree(REPO, [bank])
    second = [n for n, line in enumerate(text.splitlines(), 1) if "id: q1" in line][1]
    assert [(i.line, i.message) for i in issues] == [(second, "duplicate question id 'q1' (first used on line 4)")]


def test_course_errors_name_file_and_line(tmp_path):
    files = dict(TINY_COURSE)
    files["courses/tiny-course/course.yaml"] = files["courses/tiny-course/course.yaml"].replace(
        "exam: tiny-exam", "exam: no-such-exam"
    ).replace("minutes: 10", "minuts: 10")
    files["courses/tiny-course/case-01.md"] = files["courses/tiny-course/case-01.md"].replace("## 依据\n", "")
    files["courses/tiny-course/01-intro.md"] = files["courses/tiny-course/01-intro.md"].replace(
        "        kind: lesson\n", "        kind: lesson\n        title: [broken\n"
    )
    root = write_tree(tmp_path, files)
    _, issues = load_tree(root)
    text = "\n".join(str(i) for i in issues)
    assert "courses/tiny-course/course.yaml:4: unknown key 'minuts' in course.yaml (did you mean 'minutes'?)" in text
    assert "course.yaml:8: exam 'no-such-exam' does not exist" in text
    assert "case-01.md:" in text and "missing its '## 依据' section" in text
    assert "01-intro.md:4: invalid YAML" in text


def test_front_matter_must_be_present_and_closed(tmp_path):
    files = dict(TINY_COURSE)
    files["courses/tiny-course/01-intro.md"] = "# 没有前置信息\n正文\n"
    files["courses/tiny-course/case-01.md"] = "---\nkind: case\ntitle: 未关闭\n正文\n"
    _, issues = load_tree(write_tree(tmp_path, files))
    messages = {(Path(i.path).name, i.line, i.message) for i in issues}
    assert ("01-intro.md", 1, "a lesson must start with a front matter block between two '---' lines") in messages
    assert ("case-01.md", 1, "the front matter block is not closed with a '---' line") in messages


def test_unlisted_and_missing_lesson_files_are_reported(tmp_path):
    files = dict(TINY_COURSE)
    files["courses/tiny-course/02-extra.md"] = TINY_COURSE["courses/tiny-course/01-intro.md"]
    files["courses/tiny-course/course.yaml"] = files["courses/tiny-course/course.yaml"].replace(
        "  - case-01.md", "  - case-01.md\n          - 03-missing.md"
    )
    _, issues = load_tree(write_tree(tmp_path, files))
    text = "\n".join(str(i) for i in issues)
    assert "02-extra.md:1: this lesson file is not listed" in text
    assert "course.yaml:8: lesson file '03-missing.md' does not exist" in text


def test_multiple_choice_needs_two_answers_and_single_needs_one(tmp_path):
    bank = tmp_path / "kinds.yaml"
    bank.write_text(
        "title: t\ndraw: 1\nquestions:\n"
        "  - {id: a, type: multiple, stem: s, options: {A: x, B: y, C: z}, answer: [A], explanation: e, tags: [t],"
        " rule: r, basis: [§2]}\n"
        "  - {id: b, type: single, stem: s, options: {A: x, B: y, C: z}, answer: [A, B], explanation: e, tags: [t],"
        " rule: r, basis: [§2]}\n"
        "  - {id: c, type: truefalse, stem: s, answer: maybe, explanation: e, tags: [t], rule: r, basis: [§2]}\n",
        encoding="utf-8",
    )
    _, issues = load_tree(REPO, [bank])
    assert [(i.line, i.message.split(" (")[0]) for i in issues] == [
        (4, "a multiple-choice question needs at least two right answers"),
        (5, "a single-choice question has exactly one answer"),
        (6, "the answer of a truefalse question must be 对 or 错, not 'maybe'"),
    ]


def test_check_command_prints_errors_and_exits_non_zero(runner, tmp_path):
    bank = tmp_path / "bad-bank.yaml"
    bank.write_text(PLANTED, encoding="utf-8")
    result = runner.invoke(args=["content", "check", str(bank)])
    assert result.exit_code != 0
    located = [line for line in result.output.splitlines() if line.startswith(str(bank))]
    assert len(located) == 3
    assert "3 problem(s) found" in result.output


def test_check_command_passes_on_bundled_content(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    courses = len(list((REPO / "courses").glob("*/course.yaml")))
    assert result.output.startswith(f"ok: {courses} course(s)") and courses >= 2


def test_fill_questions_need_one_answer_per_blank_and_stay_out_of_public_pools(tmp_path):
    staff = tmp_path / "quizzes" / "fills.yaml"
    staff.parent.mkdir(parents=True)
    staff.write_text(
        "title: t\ndraw: 1\nquestions:\n"
        "  - {id: a, type: fill, stem: 限额为____万元, answer: [[50, 五十]], explanation: e, tags: [t], rule: r,"
        " basis: [§2]}\n"
        "  - {id: b, type: fill, stem: ____和____, answer: [知情], explanation: e, tags: [t], rule: r, basis: [§2]}\n"
        "  - {id: c, type: fill, stem: s, options: {A: x, B: y, C: z}, answer: x, explanation: e, tags: [t], rule: r,"
        " basis: [§2]}\n",
        encoding="utf-8",
    )
    public = tmp_path / "quizzes" / "public" / "pool.yaml"
    public.parent.mkdir(parents=True)
    public.write_text("title: t\ndraw: 1\nquestions:\n  - {id: a, type: fill, stem: 限额为____万元, answer: 50,"
                      " explanation: e, tags: [t], rule: r, basis: [§W1]}\n", encoding="utf-8")
    _, issues = load_tree(REPO, [staff, public])
    found = [(Path(i.path).name, i.line, i.message.split(";")[0].split(":")[0]) for i in issues]
    assert found == [
        ("fills.yaml", 5, "the stem has 2 blank(s) (____) but 'answer' gives 1"),
        ("fills.yaml", 6, "a fill question has no options"),
        ("pool.yaml", 4, "a public quiz is answered with a tap on a phone"),
    ]


def test_an_imported_bank_may_have_two_to_eight_options_and_no_rule_or_basis(tmp_path):
    bank = tmp_path / "imported.yaml"
    bank.write_text(
        "title: t\ndraw: 1\nimported_from: 题库.xlsx\nquestions:\n"
        "  - {id: a, type: single, stem: s, options: {A: x, B: y}, answer: B}\n"
        "  - {id: b, type: single, stem: s2, options: {A: x, B: y}, answer: B, rule: r}\n",
        encoding="utf-8",
    )
    authored = tmp_path / "authored.yaml"
    authored.write_text(bank.read_text(encoding="utf-8").replace("imported_from: 题库.xlsx\n", ""), encoding="utf-8")
    _, issues = load_tree(REPO, [bank])
    assert list(issues) == []
    _, issues = load_tree(REPO, [authored])
    assert any("3 to 6 options" in i.message for i in issues) and any("missing 'basis'" in i.message for i in issues)

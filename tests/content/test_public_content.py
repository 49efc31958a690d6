"""Public content files: modules, public question pools and campaigns are checked like the rest."""

from __future__ import annotations

from sqlalchemy import func, select

from app.content.loader import load_tree
from app.content.models import PublicModule
from app.content.services import ContentInvalid, sync_content
from app.extensions import db
from app.public.models import Campaign
from tests.conftest import REPO, write_tree

MODULE = """\
    ---
    title: 测试模块
    summary: 一句话。
    tags: [测试]
    practice:
      - id: p1
        type: truefalse
        stem: 题干一
        answer: 对
        explanation: 解析
        tags: [测试]
        rule: 规则
        basis: [§2]
      - id: p2
        type: truefalse
        stem: 题干二
        answer: 错
        explanation: 解析
        tags: [测试]
        rule: 规则
        basis: [§2]
      - id: p3
        type: truefalse
        stem: 题干三
        answer: 错
        explanation: 解析
        tags: [测试]
        rule: 规则
        basis: [§2]
    ---
    ## 情景

    故事。

    ## 怎么回事

    说明。

    ## 危险信号

    - 信号

    ## 怎么办

    挂断电话。
    """


def test_the_bundled_public_content_meets_the_minimums():
    bundle, issues = load_tree(REPO)
    assert [str(i) for i in issues] == []
    assert len(bundle.modules) >= 10
    public_questions = sum(len(q.questions) for q in bundle.public_quizzes.values())
    assert public_questions >= 120
    assert all(3 <= len(m.practice) <= 5 for m in bundle.modules.values())
    assert all(q.module for quiz in bundle.public_quizzes.values() for q in quiz.questions)
    assert {"antifraud-winter-2026", "consumer-rights-315-2027", "literacy-month-2026"} <= set(bundle.campaigns)


def test_mistakes_in_public_files_are_located(tmp_path):
    root = write_tree(tmp_path, {
        "modules/good.md": MODULE,
        "modules/no-action.md": MODULE.replace("    ## 怎么办\n\n    挂断电话。\n", ""),
        "quizzes/public/pool.yaml": """\
            title: 池
            draw: 1
            questions:
              - id: q1
                type: truefalse
                stem: 题干
                answer: 对
                explanation: 解析
                tags: [测试]
                rule: 规则
                basis: [§2]
                module: no-such-module
            """,
        "campaigns/camp.yaml": """\
            title: 活动
            theme: 主题
            starts: 2027-03-08
            ends: 2027-03-01
            modules: [good, missing-module]
            tracks:
              - key: all
                title: 全部
                pool: no-pool
            """,
    })
    _, issues = load_tree(root, [root / "modules", root / "quizzes" / "public", root / "campaigns"])
    found = sorted((i.path.rsplit("/", 1)[-1], i.line, i.message) for i in issues)
    assert found == [
        ("camp.yaml", 4, "'ends' is before 'starts'"),
        ("camp.yaml", 5, "module 'missing-module' does not exist (no modules/missing-module.md)"),
        ("camp.yaml", 9, "question pool 'no-pool' does not exist (no quizzes/public/no-pool.yaml)"),
        ("no-action.md", 31, "the module is missing its '## 怎么办' section"),
        ("pool.yaml", 4, "module 'no-such-module' does not exist (no modules/no-such-module.md)"),
    ], found


def test_a_broken_campaign_file_loads_nothing(app, tmp_path):
    import shutil

    root = tmp_path / "tree"
    for name in ("courses", "quizzes", "modules", "campaigns"):
        shutil.copytree(REPO / name, root / name)
    (root / "campaigns" / "literacy-month-2026.yaml").write_text("title: 坏\nstarts: 明天\n", encoding="utf-8")
    try:
        sync_content(root)
    except ContentInvalid as error:
        assert any("literacy-month-2026.yaml" in str(i) for i in error.issues)
    else:
        raise AssertionError("a broken campaign must stop the sync")
    db.session.rollback()
    assert db.session.scalar(select(func.count(Campaign.id))) == 0
    assert db.session.scalar(select(func.count(PublicModule.id))) == 0

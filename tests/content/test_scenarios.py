"""The scenario checker: graph problems reported as file:line: message."""

from __future__ import annotations

import pytest

from app.content.loader import load_tree
from tests.conftest import REPO
from tests.scenario_fixture import TINY_SCENARIO


def _check(tmp_path, text: str):
    folder = tmp_path / "scenarios"
    folder.mkdir(exist_ok=True)
    path = folder / "case.yaml"
    path.write_text(text, encoding="utf-8")
    _, issues = load_tree(REPO, [path])
    return [(i.line, i.message) for i in issues]


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_fixture_scenario_is_valid(tmp_path):
    assert _check(tmp_path, TINY_SCENARIO) == []


def test_dangling_unreachable_and_dead_end_give_three_located_errors(tmp_path, runner):
    broken = TINY_SCENARIO.replace("""        next: escalated
        points: {合规话术: -1}
        basis: [§2]
        feedback: 旧规定。
""", """        next: escalated
        points: {合规话术: -1}
        basis: [§2]
        feedback: 旧规定。
      - text: 稍后再说。
        next: nowhere
        points: {}
        feedback: 拖延。
        basis: [§2]
""")
    broken = broken.replace("  angry:\n", """  orphan:
    speaker: customer
    text: 没有人会走到这里。
    choices:
      - text: 好的
        next: resolved
        points: {}
        feedback: 无
        basis: [§2]
      - text: 不好
        next: resolved
        points: {}
        feedback: 无
        basis: [§2]
  stuck:
    speaker: customer
    text: 死循环
    choices:
      - text: 再说一遍
        next: stuck
        points: {}
        feedback: 无
        basis: [§2]
      - text: 还是再说一遍
        next: stuck
        points: {}
        feedback: 无
        basis: [§2]
  angry:
""")
    broken = broken.replace("""        points: {倾听与共情: -2}
        basis: [§2]
        feedback: 冷冰冰地读规定。
""", """        points: {倾听与共情: -2}
        basis: [§2]
        feedback: 冷冰冰地读规定。
      - text: 您再说一遍？
        next: stuck
        points: {}
        feedback: 答非所问。
        basis: [§2]
""")
    found = _check(tmp_path, broken)
    assert found == [
        (_line(broken, "next: nowhere"), "'next: nowhere' names no node or ending"),
        (_line(broken, "  orphan:"), "node 'orphan' cannot be reached from the start"),
        (_line(broken, "  stuck:"), "node 'stuck' has no way to an ending (a dead end or a closed loop)"),
    ]
    folder = tmp_path / "scenarios"
    result = runner.invoke(args=["content", "check", str(folder / "case.yaml")])
    assert result.exit_code != 0
    assert len([ln for ln in result.output.splitlines() if ln.startswith(str(folder / "case.yaml") + ":")]) == 3


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("        feedback: 踢皮球。\n", "", "this choice has no feedback"),
        ("{首问负责: -2}", "{耐心: -2}", "'耐心' is not one of this scenario's competencies"),
        ("competencies: [倾听与共情, 首问负责, 合规话术]", "competencies: [倾听与共情, 首问负责, 合规话术, 微笑]",
         "unknown competency '微笑'"),
        ("  escalated:\n    outcome: escalated", "  listen:\n    outcome: escalated", "'listen' is both a node and an ending"),
        ("  angry:\n", "  listen:\n", "duplicate key 'listen'"),
        ("  failing_endings: [complaint]", "  failing_endings: [complain]", "failing ending 'complain' is not among"),
    ],
)
def test_authoring_mistakes_are_named(tmp_path, old, new, message):
    assert old in TINY_SCENARIO
    found = _check(tmp_path, TINY_SCENARIO.replace(old, new))
    assert any(message in text for _, text in found), found


def test_a_scenario_nobody_can_pass_is_refused(tmp_path):
    text = TINY_SCENARIO.replace("failing_endings: [complaint]", "failing_endings: [complaint, resolved, escalated]")
    assert any("nobody could pass" in m for _, m in _check(tmp_path, text))

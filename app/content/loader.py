"""Loading the whole content tree: finding the files, loading each kind, and the checks across files.

Pure Python (no Flask): returns the specs plus every problem found as ``file:line: message``.
A bundle with any issue must never be loaded into the database. Each kind of file has its own
module (courses, questions, scenarios, public); reading and field checks are in ``reader``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.content import domain, public
from app.content.courses import CourseSpec, load_course
from app.content.questions import QuizSpec, load_quiz
from app.content.reader import Issues
from app.content.scenarios import load_scenario


@dataclass
class Bundle:
    courses: dict[str, CourseSpec] = field(default_factory=dict)
    quizzes: dict[str, QuizSpec] = field(default_factory=dict)
    scenarios: dict = field(default_factory=dict)
    modules: dict = field(default_factory=dict)  # public reading modules
    public_quizzes: dict[str, QuizSpec] = field(default_factory=dict)  # keyed "public/<file stem>"
    campaigns: dict = field(default_factory=dict)


# --- whole trees -----------------------------------------------------------------------------


def load_tree(root: Path, paths: list[Path] | None = None, *, facts: Path | None = None) -> tuple[Bundle, Issues]:
    """Load the bundled content under ``root`` (or only ``paths``) and every problem found.

    References (a course's exam and scenarios, a public question's module, a campaign's modules and
    pools) are resolved against the files under ``root`` as well as the given paths. Every
    question's and reply's ``basis`` and every service number, document number and law quoted are
    checked against the facts file (``facts``, default ``docs/DOMAIN.md`` under ``root`` or beside
    the application).
    """
    issues = Issues()
    bundle = Bundle()
    found = _classify(root, paths, issues)
    _load_each(found, bundle, issues)
    known_modules = set(bundle.modules) | {p.stem for p in (root / "modules").glob("*.md") if p.name != "README.md"}
    known_pools = set(bundle.public_quizzes) | {f"public/{p.stem}" for p in (root / "quizzes" / "public").glob("*.yaml")}
    public.check_references(bundle, issues, known_modules, known_pools)
    _load_courses(root, found, bundle, issues)
    check_facts(bundle, issues, found, domain.load(facts or facts_file(root)))
    return bundle, issues


def _load_each(found: _Found, bundle: Bundle, issues: Issues) -> None:
    """Every question bank, scenario, public module, public pool and campaign file, into the bundle."""
    for path in found.quizzes:
        if (quiz := load_quiz(path, issues)) is not None:
            bundle.quizzes[quiz.slug] = quiz
    for path in found.scenarios:
        if (scenario := load_scenario(path, issues)) is not None:
            bundle.scenarios[scenario.slug] = scenario
    for path in found.modules:
        if (module := public.load_module(path, issues)) is not None:
            bundle.modules[module.slug] = module
    for path in found.public_quizzes:
        if (quiz := load_quiz(path, issues, public=True)) is not None:
            bundle.public_quizzes[quiz.slug] = quiz
    for path in found.campaigns:
        if (campaign := public.load_campaign(path, issues)) is not None:
            bundle.campaigns[campaign.slug] = campaign


def _load_courses(root: Path, found: _Found, bundle: Bundle, issues: Issues) -> None:
    """Every course folder, into the bundle; its exam and scenarios may be any file under ``root``."""
    known_scenarios = set(bundle.scenarios) | {p.stem for p in (root / "quizzes" / "scenarios").glob("*.yaml")}
    known_quizzes = set(bundle.quizzes) | {p.stem for p in (root / "quizzes").glob("*.yaml")}
    for folder in found.courses:
        course = load_course(folder, issues)
        if course is not None:
            _check_course_references(folder, course, issues, known_quizzes, known_scenarios)
            bundle.courses[course.slug] = course


def _check_course_references(folder: Path, course: CourseSpec, issues: Issues, known_quizzes: set[str],
                             known_scenarios: set[str]) -> None:
    """A course's exam and role-plays exist (in the files loaded, or under the content root)."""
    if course.exam and course.exam not in known_quizzes:
        issues.add(folder / "course.yaml", _line_of_key(folder / "course.yaml", "exam"),
                   f"exam '{course.exam}' does not exist (no quizzes/{course.exam}.yaml)")
    for scenario_id, _score, line in course.scenarios:
        if scenario_id not in known_scenarios:
            issues.add(folder / "course.yaml", line,
                       f"scenario '{scenario_id}' does not exist (no quizzes/scenarios/{scenario_id}.yaml)")


def facts_file(root: Path) -> Path:
    """docs/DOMAIN.md of the content tree, or of the application's own checkout."""
    candidate = root / "docs" / "DOMAIN.md"
    return candidate if candidate.exists() else Path(__file__).resolve().parents[2] / "docs" / "DOMAIN.md"


def check_facts(bundle: Bundle, issues: Issues, found: _Found, facts: domain.Domain) -> None:
    """Basis references name real sections; quoted numbers and laws are in the facts file."""
    quizzes = [*bundle.quizzes.values(), *bundle.public_quizzes.values(),
               *(m.practice_quiz() for m in bundle.modules.values())]
    for quiz in quizzes:
        for question in quiz.questions:
            _check_basis(issues, quiz.path, question.basis, question.basis_line or question.line, facts)
    for scenario in bundle.scenarios.values():
        for basis, line in scenario.bases:
            _check_basis(issues, scenario.path, basis, line, facts)
    files = [*found.quizzes, *found.scenarios, *found.modules, *found.public_quizzes, *found.campaigns]
    for folder in found.courses:
        files += [folder / "course.yaml", *sorted(folder.glob("*.md"))]
    for path in files:
        _check_quotes(issues, path, facts)


def _check_basis(issues: Issues, path: Path, basis: list[str], line: int, facts: domain.Domain) -> None:
    for reference in basis:
        if facts.unknown_basis(reference):
            issues.add(path, line, f"basis '{reference}' is not a section of docs/DOMAIN.md "
                                   f"(use {', '.join('§' + s for s in sorted(facts.sections, key=_section_order))})")


def _section_order(section: str) -> tuple[int, int]:
    return (1, int(section[1:])) if section.startswith("W") else (0, int(section))


def _check_quotes(issues: Issues, path: Path, facts: domain.Domain) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return  # already reported by the loader
    for number, line in enumerate(lines, 1):
        for quoted in facts.unverified_references(line):
            issues.add(path, number, f"'{quoted}' is not in docs/DOMAIN.md: quote only service numbers, "
                                     "document numbers and laws the verified facts hold")


@dataclass
class _Found:
    quizzes: list = field(default_factory=list)
    courses: list = field(default_factory=list)
    scenarios: list = field(default_factory=list)
    modules: list = field(default_factory=list)
    public_quizzes: list = field(default_factory=list)
    campaigns: list = field(default_factory=list)

    def unique(self) -> _Found:
        for name in self.__dataclass_fields__:
            setattr(self, name, list(dict.fromkeys(getattr(self, name))))
        return self


def _classify(root: Path, paths: list[Path] | None, issues: Issues) -> _Found:
    """The files to load by kind: everything under ``root``, or what ``paths`` name (files or folders)."""
    if not paths:
        return _Found(
            quizzes=sorted((root / "quizzes").glob("*.yaml")),
            courses=sorted(p.parent for p in (root / "courses").glob("*/course.yaml")),
            scenarios=sorted((root / "quizzes" / "scenarios").glob("*.yaml")),
            modules=sorted(p for p in (root / "modules").glob("*.md") if p.name != "README.md"),
            public_quizzes=sorted((root / "quizzes" / "public").glob("*.yaml")),
            campaigns=sorted((root / "campaigns").glob("*.yaml")),
        )
    found = _Found()
    for path in paths:
        if path.is_dir():
            _classify_folder(path, found)
        else:
            _classify_file(path, found, issues)
    return found.unique()


def _classify_folder(path: Path, found: _Found) -> None:
    if (path / "course.yaml").exists():
        found.courses.append(path)
    elif path.name == "scenarios":
        found.scenarios.extend(sorted(path.glob("*.yaml")))
    elif path.name == "public":
        found.public_quizzes.extend(sorted(path.glob("*.yaml")))
    elif path.name == "modules":
        found.modules.extend(p for p in sorted(path.glob("*.md")) if p.name != "README.md")
    elif path.name == "campaigns":
        found.campaigns.extend(sorted(path.glob("*.yaml")))
    else:
        found.quizzes.extend(sorted(path.glob("*.yaml")))
        found.scenarios.extend(sorted((path / "scenarios").glob("*.yaml")))
        found.public_quizzes.extend(sorted((path / "public").glob("*.yaml")))
        found.courses.extend(sorted(p.parent for p in path.glob("*/course.yaml")))


# a YAML file's kind by the name of its folder (any other folder: a question bank)
YAML_KINDS = {"scenarios": "scenarios", "public": "public_quizzes", "campaigns": "campaigns"}


def _classify_file(path: Path, found: _Found, issues: Issues) -> None:
    if path.name == "course.yaml" or (path.suffix == ".md" and (path.parent / "course.yaml").exists()):
        found.courses.append(path.parent)
    elif path.suffix == ".md" and path.parent.name == "modules":
        found.modules.append(path)
    elif path.suffix in (".yaml", ".yml"):
        getattr(found, YAML_KINDS.get(path.parent.name, "quizzes")).append(path)
    elif not path.exists():
        issues.add(path, 1, "no such file or folder")
    else:
        issues.add(path, 1, "not a course folder, course.yaml, lesson (.md), module (modules/*.md), "
                            "question bank (.yaml) or campaign (campaigns/*.yaml)")


def _line_of_key(path: Path, key: str) -> int:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith(f"{key}:"):
                return number
    except (OSError, UnicodeDecodeError):
        pass
    return 1

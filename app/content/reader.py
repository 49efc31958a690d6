"""Reading content files: text, YAML with line numbers, typed fields, and the problems found as
``file:line: message``. Pure Python (no Flask); shared by every kind of content file."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from app.content import yamlsrc
from app.content.yamlsrc import LMap

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")

@dataclass(frozen=True)
class Issue:
    """One problem in a content file."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class Issues(list):
    """The problems found so far."""

    def add(self, path: Path | str, line: int, message: str) -> None:
        self.append(Issue(display_path(path), max(int(line or 1), 1), message))


def display_path(path: Path | str) -> str:
    """The path relative to the working directory where possible."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

def content_hash(data) -> str:
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# --- generic field readers ------------------------------------------------------------------


class FieldReader:
    """Reads typed fields out of one mapping, recording problems against the file."""

    def __init__(self, issues: Issues, path: Path, data: LMap, allowed: set[str], what: str):
        self.issues, self.path, self.data = issues, path, data
        for key in data:
            if key not in allowed:
                hint = closest(str(key), allowed)
                extra = f" (did you mean '{hint}'?)" if hint else ""
                self.error(data.line_of(key), f"unknown key '{key}' in {what}{extra}")

    def error(self, line: int, message: str) -> None:
        self.issues.add(self.path, line, message)

    def line(self, key: str) -> int:
        return self.data.line_of(key)

    def text(self, key: str, *, required: bool = False, max_len: int = 2000) -> str | None:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(self.line(key), f"missing '{key}'")
            return None
        if isinstance(value, bool | dict | list):
            self.error(self.line(key), f"'{key}' must be text")
            return None
        value = str(value).strip()
        if len(value) > max_len:
            self.error(self.line(key), f"'{key}' is longer than {max_len} characters")
        return value

    def integer(self, key: str, *, default=None, minimum=0, maximum=None, required=False):
        value = self.data.get(key, default)
        if value is None:
            if required:
                self.error(self.line(key), f"missing '{key}'")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(self.line(key), f"'{key}' must be a whole number")
            return default
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and {maximum}" if maximum is not None else ""
            self.error(
                self.line(key),
                f"'{key}' must be between {minimum}{upper}" if maximum is not None
                else f"'{key}' must be at least {minimum}",
            )
            return default
        return value

    def localized(self, key: str, *, required: bool = False) -> dict:
        result = {}
        if (main := self.text(key, required=required)) is not None:
            result["zh_Hans"] = main
        if (en := self.text(f"{key}_en")) is not None:
            result["en"] = en
        if (hant := self.text(f"{key}_zh_hant")) is not None:
            result["zh_Hant"] = hant
        return result


def closest(word: str, candidates: set[str]) -> str | None:

    match = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.7)
    return match[0] if match else None


def read_yaml(issues: Issues, path: Path, text: str, offset: int = 0):
    try:
        value, problems = yamlsrc.parse(text, offset)
    except yamlsrc.YamlSyntaxError as exc:
        issues.add(path, exc.line, exc.message)
        return None
    for line, message in problems:
        issues.add(path, line, message)
    return value

def split_front_matter(path: Path, text: str, issues: Issues):
    """Return (front matter mapping, body, first body line) or None after recording the problem."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        issues.add(path, 1, "a lesson must start with a front matter block between two '---' lines")
        return None
    end = _closing_line(lines)
    if end is None:
        issues.add(path, 1, "the front matter block is not closed with a '---' line")
        return None
    front = read_yaml(issues, path, "\n".join(lines[1:end]), offset=1)
    if front is None:
        if end == 1 or all(not ln.strip() for ln in lines[1:end]):
            issues.add(path, 1, "the front matter is empty (it needs kind and title)")
        return None
    if not isinstance(front, LMap):
        issues.add(path, 2, "the front matter must be key: value lines (kind, title, minutes…)")
        return None
    return front, "\n".join(lines[end + 1:]), end + 2


def _closing_line(lines: list[str]) -> int | None:
    """The index of the '---' line that closes the front matter."""
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            return end
    return None


HEADING_RE = re.compile(r"^##\s+(.+?)\s*#*\s*$")


def case_headings(body: str) -> list[tuple[int, str]]:
    """(index of line, heading text) of each second-level heading outside code fences."""
    found, fenced = [], False
    for index, line in enumerate(body.splitlines()):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and (m := HEADING_RE.match(line)):
            found.append((index, m.group(1)))
    return found

def check_sections(issues: Issues, path: Path, body: str, body_line: int, expected: list[str], what: str) -> None:
    """The body's second-level headings are exactly ``expected``, each once, in that order."""
    headings = case_headings(body)
    names = [text for _, text in headings]
    for index, text in headings:
        if text not in expected:
            issues.add(
                path, body_line + index,
                f"unexpected section '## {text}' in a {what} (sections: {'、'.join(expected)})",
            )
    present = [n for n in names if n in expected]
    for name in expected:
        if name not in present:
            issues.add(path, body_line, f"the {what} is missing its '## {name}' section")
        elif present.count(name) > 1:
            issues.add(path, body_line, f"the {what} has '## {name}' more than once")
    ordered = [n for n in expected if n in present]
    if present != ordered and len(set(present)) == len(present):
        issues.add(path, body_line, f"{what} sections must come in this order: {'、'.join(expected)}")

def read_text(path: Path, issues: Issues) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        issues.add(path, 1, "file not found")
    except UnicodeDecodeError:
        issues.add(path, 1, "the file is not UTF-8 text (save it as UTF-8)")
    return ""

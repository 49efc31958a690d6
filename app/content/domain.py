"""The verified domain facts (docs/DOMAIN.md) that every course, question and scenario rests on.

Pure Python. Two uses: the section ids a question or reply may cite as its ``basis`` (``§2``,
``§W4``…), and the check that content quotes no service number, document number or law that the
facts file does not hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SECTION_RE = re.compile(r"^##\s+(W?\d+)\.\s", re.MULTILINE)
BASIS_RE = re.compile(r"^§(W?\d+)$")
# hotlines and short service numbers people are told to call (96110, 12378, 110…)
SERVICE_NUMBER_RE = re.compile(r"(?<![\d.])(96\d{3}|95\d{3}|12\d{3}|400-?\d{3}-?\d{4}|11[09]|120)(?![\d.%])")
# document numbers: 银保监办发〔2022〕90号, 国务院令第737号, 银保监会令2021年第4号, 中国人民银行令〔2020〕第5号
DOCUMENT_RE = re.compile(
    r"(?P<core>〔\d{4}〕\s*第?\s*\d+\s*号|令\s*\d{4}\s*年\s*第\s*\d+\s*号|令\s*第\s*\d+\s*号)"
)
LAW_RE = re.compile(r"《([^《》]{2,80})》")
ISSUER_CHARS = re.compile(r"[\u4e00-\u9fff]")
LAW_PREFIX = "中华人民共和国"


@dataclass(frozen=True)
class Domain:
    """The facts file: its text and its numbered sections."""

    text: str
    sections: frozenset[str]

    def unknown_basis(self, reference: str) -> bool:
        """True when ``reference`` (e.g. ``§W4``) is not a section of the facts file."""
        match = BASIS_RE.match(reference.strip())
        return match is None or match.group(1) not in self.sections

    def unverified_references(self, text: str) -> list[str]:
        """Service numbers, document numbers and law names in ``text`` that the facts file lacks."""
        found = [m.group(1) for m in SERVICE_NUMBER_RE.finditer(text) if m.group(1) not in self.text]
        found += [issuer + core for issuer, core in _documents(text) if not self._has_document(issuer, core)]
        for match in LAW_RE.finditer(text):
            name = match.group(1).strip()
            short = name.removeprefix(LAW_PREFIX)
            if name not in self.text and short not in self.text and LAW_PREFIX + short not in self.text:
                found.append(f"《{name}》")
        return found

    def _has_document(self, issuer: str, core: str) -> bool:
        """Known when the number with the end of its issuer (at least two characters) is in the file;
        the words before an issuer (按照, 违反…) do not count."""
        known = _squash(self.text)
        shortest = min(2, len(issuer))
        return any(_squash(issuer[len(issuer) - k:] + core) in known for k in range(len(issuer), shortest - 1, -1))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _documents(text: str) -> list[tuple[str, str]]:
    """Each document number as (the Chinese characters just before it, the number)."""
    numbers = []
    for match in DOCUMENT_RE.finditer(text):
        start = match.start()
        while start > 0 and ISSUER_CHARS.match(text[start - 1]) and match.start() - start < 12:
            start -= 1
        numbers.append((text[start:match.start()], match.group("core")))
    return numbers


def load(path: Path) -> Domain:
    """Read the facts file (cached per path and modification time)."""
    stat = path.stat()
    return _load(str(path), stat.st_mtime_ns)


@lru_cache(maxsize=4)
def _load(path: str, _mtime: int) -> Domain:
    text = Path(path).read_text(encoding="utf-8")
    return Domain(text, frozenset(SECTION_RE.findall(text)))

"""Uploaded files between preview and apply (in instance/uploads/), and the checks a spreadsheet
passes before any parser sees it. Pure Python: no Flask."""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.core.exceptions import CodedError

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
DAY = 24 * 3600


class UploadRefused(CodedError):
    """A file refused before parsing: ``not_a_workbook``, ``too_many_parts``, ``too_large_unpacked`` or
    ``compression_ratio`` (a zip bomb)."""


@dataclass(frozen=True)
class ZipLimits:
    """What an Office file (a zip package) may unpack to. Real rosters and question banks stay far below."""

    members: int = 1000
    unpacked_bytes: int = 256 * 1024 * 1024
    ratio: int = 200  # spreadsheet XML packs about 10–30 : 1; zip bombs pack 1000 : 1


def check_zip_package(content: bytes, limits: ZipLimits = ZipLimits()) -> None:
    """Refuse an XLSX-like package whose directory promises too many parts, too many bytes or a
    compression no real workbook reaches — read from the zip directory only, before anything is inflated."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise UploadRefused("not_a_workbook") from exc
    if len(members) > limits.members:
        raise UploadRefused("too_many_parts", count=len(members), limit=limits.members)
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.unpacked_bytes:
        raise UploadRefused("too_large_unpacked", size=unpacked, limit=limits.unpacked_bytes)
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > limits.ratio * max(member.compress_size, 1):
            raise UploadRefused("compression_ratio", part=member.filename)


class UploadStore:
    """A folder of uploaded files, each with a small JSON note of who uploaded it and its name.

    Files previewed but never applied are deleted after a day (at every upload, and by
    ``flask uploads sweep``)."""

    def __init__(self, root: Path, max_age: int = DAY) -> None:
        """``root`` is one feature's folder under instance/uploads/."""
        self.root = root
        self.max_age = max_age

    def save(self, content: bytes, filename: str, user_id: int) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        self.sweep()
        token = secrets.token_hex(16)
        (self.root / f"{token}.bin").write_bytes(content)
        _write(self.root / f"{token}.json", json.dumps({"filename": filename, "user_id": user_id}))
        return token

    def load(self, token: str, user_id: int) -> tuple[bytes, str] | None:
        """The file and its name, for the user who uploaded it only."""
        meta = self.note(token, user_id)
        path = self.root / f"{token}.bin"
        if meta is None or not path.exists():
            return None
        return path.read_bytes(), meta["filename"]

    def note(self, token: str, user_id: int) -> dict | None:
        """The upload's note (filename, options…), for the user who uploaded it only."""
        if not TOKEN_RE.match(token or ""):
            return None
        path = self.root / f"{token}.json"
        if not path.exists():
            return None
        meta = json.loads(path.read_text())
        return meta if meta.get("user_id") == user_id else None

    def update_note(self, token: str, **fields) -> None:
        path = self.root / f"{token}.json"
        meta = json.loads(path.read_text())
        meta.update(fields)
        _write(path, json.dumps(meta))

    def write_extra(self, token: str, name: str, data: dict) -> None:
        """Keep something derived from the upload beside it (e.g. the preview to page through)."""
        _write(self.root / f"{token}.{name}.json", json.dumps(data, ensure_ascii=False, default=str))

    def read_extra(self, token: str, name: str) -> dict | None:
        if not TOKEN_RE.match(token or "") or not re.match(r"^[a-z]+$", name):
            return None
        path = self.root / f"{token}.{name}.json"
        return json.loads(path.read_text()) if path.exists() else None

    def discard(self, token: str) -> None:
        for path in self.root.glob(f"{token}.*"):
            path.unlink(missing_ok=True)

    def claim(self, token: str) -> bool:
        """Mark the upload as being acted on; False if someone already did (two clicks, two tabs, two workers)."""
        try:
            (self.root / f"{token}.claim").open("x").close()
        except FileExistsError:
            return False
        return True

    def release(self, token: str) -> None:
        """The action on the upload ended without using it up (it may be tried again)."""
        (self.root / f"{token}.claim").unlink(missing_ok=True)

    def discard_content(self, token: str) -> None:
        """Delete the file and what was derived from it, keeping its note (which says what became of it)."""
        for path in self.root.glob(f"{token}.*"):
            if path.name not in (f"{token}.json", f"{token}.claim"):
                path.unlink(missing_ok=True)

    def sweep(self, now: float | None = None) -> int:
        """Delete the files older than ``max_age``; return how many uploads went."""
        if not self.root.exists():
            return 0
        cutoff = (now or time.time()) - self.max_age
        removed = 0
        for path in self.root.glob("*.json"):
            if "." not in path.stem and path.stat().st_mtime < cutoff:  # a note (not a derived file)
                self.discard(path.stem)
                removed += 1
        return removed



def _write(path: Path, text: str) -> None:
    """Replace the file at once: a reader (the progress page, another worker) never sees it half written."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def sweep_all(uploads_root: Path, max_age: int = DAY, now: float | None = None) -> int:
    """Sweep every feature's folder under instance/uploads/; return how many uploads went."""
    if not uploads_root.exists():
        return 0
    return sum(UploadStore(folder, max_age).sweep(now) for folder in uploads_root.iterdir() if folder.is_dir())

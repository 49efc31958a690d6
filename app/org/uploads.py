"""Keeping an uploaded roster between the preview and the apply step (in instance/uploads/)."""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


class UploadStore:
    """A folder of uploaded files, each with a small JSON note of who uploaded it and its name."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, content: bytes, filename: str, user_id: int) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(16)
        (self.root / f"{token}.bin").write_bytes(content)
        (self.root / f"{token}.json").write_text(json.dumps({"filename": filename, "user_id": user_id}))
        return token

    def load(self, token: str, user_id: int) -> tuple[bytes, str] | None:
        if not TOKEN_RE.match(token or ""):
            return None
        note = self.root / f"{token}.json"
        if not note.exists():
            return None
        meta = json.loads(note.read_text())
        if meta["user_id"] != user_id:
            return None
        return (self.root / f"{token}.bin").read_bytes(), meta["filename"]

    def discard(self, token: str) -> None:
        for suffix in (".bin", ".json"):
            (self.root / f"{token}{suffix}").unlink(missing_ok=True)

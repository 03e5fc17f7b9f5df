"""Attachment files under VAR_DIR/attachments: outside the web root, served only through a checked view."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# What a person may attach: documents and pictures, recognised by their first bytes as well.
ALLOWED_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".txt": ("text/plain", ()),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
}
MAX_FILES = 5


class AttachmentRefused(ValueError):
    def __init__(self, code: str, filename: str):
        self.code = code  # too_large | type_not_allowed | too_many
        self.filename = filename
        super().__init__(f"{filename}: {code}")


def safe_filename(name: str) -> str:
    """A name fit to show and to put in a header: no path, no control characters, not too long."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = re.sub(r"[\x00-\x1f\x7f\"<>:|?*]", "", base).strip(" .")
    return base[-120:] or "attachment"


def checked_type(filename: str, head: bytes) -> str:
    """The content type of an allowed file, or AttachmentRefused."""
    extension = os.path.splitext(filename)[1].lower()
    allowed = ALLOWED_TYPES.get(extension)
    if allowed is None:
        raise AttachmentRefused("type_not_allowed", filename)
    content_type, signatures = allowed
    if signatures and not head.startswith(signatures):
        raise AttachmentRefused("type_not_allowed", filename)
    return content_type


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    size: int
    sha256: str


class AttachmentStore:
    def __init__(self, var_dir: Path):
        self.directory = Path(var_dir) / "attachments"

    def save(self, data: bytes, storage_name: str | None = None) -> StoredFile:
        """Write the bytes (atomically: a reader never sees half a file)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = storage_name or secrets.token_hex(16)
        path = self.directory / name
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)
        return StoredFile(name, len(data), hashlib.sha256(data).hexdigest())

    def path(self, storage_name: str) -> Path:
        if not re.fullmatch(r"[0-9a-z-]+", storage_name):
            raise ValueError("not a storage name")
        return self.directory / storage_name

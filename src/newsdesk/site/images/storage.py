"""Rendition files in the data directory: ``media/images/ab/<hash>-<width>.webp|jpg``.

A file is named by the SHA-256 of its own bytes (and of the picture it renders), so a name never
stands for two contents and the site can tell browsers to keep it for a year. Files are written beside their name and renamed
into place: a reader or a backup never sees half a picture.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from pathlib import Path

from django.conf import settings

SUFFIXES = {"webp": "webp", "jpeg": "jpg"}
MEDIA_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}
# The only names the site writes and serves; the URL pattern is built from the same expression.
NAME = r"(?P<shard>[0-9a-f]{2})/(?P<file>[0-9a-f]{32}-[0-9]{1,5}\.(?:webp|jpg))"
_NAME = re.compile(NAME)


def root() -> Path:
    return Path(settings.DATA_DIR) / "media" / "images"


def name_for(original: str, data: bytes, width: int, kind: str) -> str:
    """The path below ``root()`` of a rendition with these bytes of the picture whose SHA-256 is
    ``original``. Two pictures never share a file (two files of one picture may give the same
    pixels), so deleting one picture's files never takes another's."""
    digest = hashlib.sha256(original.encode("ascii") + b"\n" + data).hexdigest()[:32]
    return f"{digest[:2]}/{digest}-{width}.{SUFFIXES[kind]}"


def path_of(name: str) -> Path | None:
    """The file of a rendition name, or None when the name is not one the site writes."""
    match = _NAME.fullmatch(name)
    if match is None or not match["file"].startswith(match["shard"]):
        return None
    return root() / match["shard"] / match["file"]


def write(name: str, data: bytes) -> None:
    """Write a rendition unless it is there already (same name, same bytes)."""
    target = path_of(name)
    if target is None:
        raise ValueError(f"not a rendition name: {name!r}")
    if target.is_file() and target.stat().st_size == len(data):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def exists(names: list[str]) -> bool:
    return all((path := path_of(name)) is not None and path.is_file() for name in names)


def delete(names: list[str]) -> None:
    """Remove these renditions' files, and their folder once it is empty."""
    for name in names:
        path = path_of(name)
        if path is None:
            continue
        path.unlink(missing_ok=True)
        try:
            path.parent.rmdir()
        except OSError:
            pass  # other pictures still live there

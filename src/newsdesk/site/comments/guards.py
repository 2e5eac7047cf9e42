"""Spam guards and limits for comments: honeypot, form age, rate per address, links, duplicates.

Limits come from ``Limits.from_settings()``: the defaults below, overridden by the optional
Django setting ``NEWSDESK_COMMENT_LIMITS`` (a dict with the same names).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, fields, replace

from django.conf import settings
from django.core import signing

from .text import normalise

STAMP_SALT = "newsdesk.comments.form-stamp"
HONEYPOT = "homepage"


@dataclass(frozen=True)
class Limits:
    max_chars: int = 5000
    max_links: int = 2
    min_seconds: float = 3.0  # between showing the form and posting it: people read first
    max_form_age: float = 2 * 24 * 3600  # an older form is refused and shown again
    rate_count: int = 5  # comments from one address ...
    rate_seconds: int = 600  # ... within this many seconds

    @classmethod
    def from_settings(cls) -> "Limits":
        overrides = getattr(settings, "NEWSDESK_COMMENT_LIMITS", {}) or {}
        known = {f.name for f in fields(cls)}
        return replace(cls(), **{k: v for k, v in overrides.items() if k in known})


def issue_stamp() -> str:
    """The current time, signed: the form carries it from the page view to the post."""
    return signing.Signer(salt=STAMP_SALT).sign(f"{time.time():.3f}")


def stamp_age(stamp: str) -> float | None:
    """Seconds since ``stamp`` was issued, or None when it is missing, forged or unreadable."""
    try:
        return time.time() - float(signing.Signer(salt=STAMP_SALT).unsign(stamp or ""))
    except (signing.BadSignature, ValueError):
        return None


def fingerprint(article_id: int, email: str, text: str) -> str:
    """What makes two comments "the same comment": article, address and text (case and spacing aside)."""
    body = " ".join(normalise(text).lower().split())
    return hashlib.sha256(f"{article_id}\n{email.strip().lower()}\n{body}".encode()).hexdigest()

"""What can be done with comments: post one, approve, mark as spam. Views and the admin call these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from newsdesk.site.pagecache import invalidate

from . import guards
from .forms import CommentForm
from .models import Comment

MODERATION_MODES = ("hold-all", "hold-first", "publish")


@dataclass(frozen=True)
class Poster:
    """Who is posting, as far as the request tells."""

    ip_address: str | None
    user_agent: str = ""


@dataclass(frozen=True)
class Outcome:
    """The stored comment, or None and the HTTP status to answer with (the form holds the errors)."""

    comment: Comment | None
    status: int = 200


def initial_status(email: str) -> str:
    """PENDING or APPROVED for a new comment from ``email``, per NEWSDESK_COMMENT_MODERATION."""
    mode = settings.NEWSDESK.get("COMMENT_MODERATION", "hold-all")
    if mode == "publish":
        return Comment.APPROVED
    if mode == "hold-first" and Comment.objects.filter(email__iexact=email, status=Comment.APPROVED).exists():
        return Comment.APPROVED
    return Comment.PENDING


def post_comment(article, form: CommentForm, poster: Poster) -> Outcome:
    """Check and store a comment on ``article``; refusals are added to ``form`` as errors.

    Refused: an invalid form (400), a spam trap (400), a reply to a comment that is not shown
    (400), too many comments from one address (429), the same comment again (409).
    """
    if not form.is_valid():
        return Outcome(None, 400)
    data, limits = form.cleaned_data, form.limits
    parent = None
    if data.get("parent"):
        parent = (Comment.objects.filter(pk=data["parent"], article=article, status=Comment.APPROVED)
                  .select_related("parent").first())
        if parent is None:
            form.add_error(None, "The comment you replied to is no longer shown; your comment is kept below.")
            return Outcome(None, 400)
        # Replies go one level deep: a reply to a reply joins its thread.
        parent = parent.parent or parent
    since = timezone.now() - timedelta(seconds=limits.rate_seconds)
    if poster.ip_address and (Comment.objects.filter(ip_address=poster.ip_address, created_at__gte=since).count()
                              >= limits.rate_count):
        form.add_error(None, "You have posted several comments in a short time. Please wait a few minutes "
                             "and send this one again.")
        return Outcome(None, 429)
    fingerprint = guards.fingerprint(article.pk, data["email"], data["comment"])
    duplicate = "You have already posted this comment."
    if Comment.objects.filter(fingerprint=fingerprint).exists():
        form.add_error(None, duplicate)
        return Outcome(None, 409)
    comment = Comment(article=article, parent=parent, name=data["name"], email=data["email"].strip(),
                      website=data["url"], text=data["comment"], status=initial_status(data["email"]),
                      ip_address=poster.ip_address, user_agent=poster.user_agent[:300], fingerprint=fingerprint)
    try:
        with transaction.atomic():
            comment.save()
    except IntegrityError:
        if not Comment.objects.filter(fingerprint=fingerprint).exists():
            raise  # another constraint failed: not a duplicate
        # The same comment arrived twice at once (a double click): the first one was stored.
        form.add_error(None, duplicate)
        return Outcome(None, 409)
    return Outcome(comment, 201)


def set_status(queryset, status: str) -> int:
    """Give every comment in ``queryset`` ``status``; returns how many changed."""
    changing = queryset.exclude(status=status)
    articles = set(changing.values_list("article_id", flat=True))
    changed = changing.update(status=status)
    if changed:
        invalidate.article_pages(articles)  # comments are shown on their article's page only
    return changed


def approve(queryset) -> int:
    """Publish the comments in ``queryset``."""
    return set_status(queryset, Comment.APPROVED)


def mark_spam(queryset) -> int:
    """Hide the comments in ``queryset`` as spam (kept, so the same text is refused again)."""
    return set_status(queryset, Comment.SPAM)

"""The article page: the article, Check Also, its comments, and the form that posts one."""

from __future__ import annotations

import datetime
from html import escape

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsdesk.site.articles import jsonld, related, sanitize
from newsdesk.site.articles.models import Article
from newsdesk.site.articles.text import excerpt
from newsdesk.site.comments import actions, origin
from newsdesk.site.comments.forms import CommentForm
from newsdesk.site.comments.guards import issue_stamp
from newsdesk.site.comments.models import Comment
from newsdesk.site.context_processors import category_tree
from newsdesk.site.entities import queries as entity_queries
from newsdesk.site.pagecache import article_tag, cached_page, depends, volatile
from newsdesk.site.prepared import prepared

PUBLISHED = "Thank you: your comment is published."
AWAITING = "Your comment is awaiting moderation."


def _article_or_404(year: str, month: str, day: str, pk: str) -> Article:
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise Http404("No such date.") from None
    found = _published_article(int(pk))
    if not found:
        raise Http404("No such article.")
    return found[0]


@prepared
def _published_article(pk: int):
    return (Article.objects.select_related("source", "category").defer("raw_page", "source__template")
            .filter(pk=pk, is_published=True)[:1])


@csrf_exempt  # the comment form carries no per-reader token, so that its page can be cached
@require_http_methods(["GET", "HEAD", "POST"])
def article(request, year: str, month: str, day: str, slug: str, pk: str):
    """GET shows the article; POST posts a comment on it (the form's action is the page itself).

    A post is refused unless the browser says it comes from this site's own page (its Origin
    and Sec-Fetch-Site headers, see ``comments.origin``): that is the cross-site forgery check,
    without a cookie."""
    if request.method == "POST":
        refusal = origin.refusal(request)
        if refusal is not None:
            return refusal
        return _post_comment(request, _article_or_404(year, month, day, pk))
    return _show(request, year=year, month=month, day=day, slug=slug, pk=pk)


@cached_page("replytocom")
def _show(request, *, year, month, day, slug, pk):
    current = _article_or_404(year, month, day, pk)
    if request.path != current.get_absolute_url():
        # An old date or title in the address: send readers and search engines to the current one.
        return redirect(current.get_absolute_url(), permanent=True)
    return _render(request, current, CommentForm(initial={"parent": _reply_to(request)}))


def _reply_to(request) -> int | None:
    raw = request.GET.get("replytocom", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _post_comment(request, current: Article):
    form = CommentForm(request.POST)
    poster = actions.Poster(request.META.get("REMOTE_ADDR") or None, request.META.get("HTTP_USER_AGENT", ""))
    outcome = actions.post_comment(current, form, poster)
    if outcome.comment is None:
        return _render(request, current, form, status=outcome.status)
    if outcome.comment.status == Comment.APPROVED:
        messages.success(request, PUBLISHED, extra_tags="comment")
        return redirect(f"{current.get_absolute_url()}#comment-{outcome.comment.pk}")
    messages.info(request, AWAITING, extra_tags="comment")
    return redirect(f"{current.get_absolute_url()}#comments")


def _comment_threads(current: Article) -> list[tuple[Comment, list[Comment]]]:
    """Approved comments in order, each with its approved replies (one query)."""
    approved = _approved_comments(current.pk)
    replies: dict[int, list[Comment]] = {}
    for comment in approved:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
    return [(c, replies.get(c.pk, [])) for c in approved if not c.parent_id]


@prepared
def _approved_comments(article_id: int):
    return (Comment.objects.filter(article_id=article_id, status=Comment.APPROVED)
            .only("id", "parent_id", "name", "website", "text", "created_at"))


def _render(request, current: Article, form: CommentForm, status: int = 200):
    tree = category_tree(request)
    path = tree.path(tree.by_id[current.category_id]) if current.category_id in tree.by_id else []
    page_url = request.build_absolute_uri(current.get_absolute_url())
    crumbs = [("Home", request.build_absolute_uri("/"))]
    crumbs += [(c.name, request.build_absolute_uri(reverse("category", args=[c.slug]))) for c in path]
    crumbs.append((current.title, page_url))
    threads = _comment_threads(current)
    parent_id = form["parent"].value()
    replying_to = next((c for c, _ in threads if str(c.pk) == str(parent_id)), None)
    summary = excerpt(current.description or current.text, 200)
    stamp = issue_stamp()
    lead = current.lead_image_url
    lead_in_body = bool(lead) and (lead in current.html or escape(lead) in current.html)
    publishers = related.also_published(current)
    head = next((a for a in publishers if not a.is_copy), None) if current.is_copy else None
    # A copy names the article shown for its group as the page to index; that one, like an
    # article with no copies, names the original at its outlet.
    canonical = (request.build_absolute_uri(head.get_absolute_url()) if head else
                 sanitize.http_url(current.canonical_url) or page_url)
    context = {
        "article": current,
        "category_path": path,
        "page_url": page_url,
        "summary": summary,
        "lead_alt": _lead_alt(current),
        "lead_in_body": lead_in_body,
        "related": related.check_also(current, tree),
        "coverage": related.story_coverage(current),
        "also_published": publishers,
        "entities": entity_queries.of_article(current),
        "copy_head": head,
        "canonical": canonical,
        "threads": threads,
        "comment_count": sum(1 + len(r) for _, r in threads),
        "form": form,
        "replying_to": replying_to,
        "jsonld": [jsonld.news_article(current, page_url, summary), jsonld.breadcrumb_list(crumbs)],
        # When the page was made: a cached page's form carries its time, as every copy is the same.
        "comment_stamp": stamp,
    }
    volatile(request, stamp)
    depends(request, *(article_tag(a.pk) for a in [current, *context["related"], *context["coverage"], *publishers]))
    return render(request, "newsdesk/article.html", context, status=status)


def _lead_alt(current: Article) -> str:
    for image in current.images or []:
        if isinstance(image, dict) and image.get("src") == current.lead_image_url:
            return image.get("alt") or image.get("caption") or ""
    return current.lead_image_caption

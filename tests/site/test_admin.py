"""The admin: staff only; sources with health, articles, the category tree, the banner, the comment queue."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from newsdesk.site.articles.models import Article, Category, Story
from newsdesk.site.comments.models import Comment

pytestmark = pytest.mark.django_db


def add_comment(article, n: int, status: str = Comment.PENDING) -> Comment:
    return Comment.objects.create(article=article, name=f"Reader {n}", email=f"r{n}@example.org", text=f"Comment {n}",
                                  status=status, fingerprint=f"fp-{n}")


@pytest.mark.parametrize("url", ["/admin/", "/admin/comments/comment/", "/admin/articles/article/",
                                 "/admin/sources/source/"])
def test_admin_is_for_staff_only(client, db, url):
    assert client.get(url).status_code == 302
    client.force_login(User.objects.create_user("reader", password="pw-reader-123"))
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_every_changelist_and_change_form_renders(admin_client, newsroom):
    add_comment(newsroom.articles[0], 1)
    article = newsroom.articles[0]
    for url in ("/admin/", "/admin/sources/source/", f"/admin/sources/source/{article.source_id}/change/",
                "/admin/articles/article/", f"/admin/articles/article/{article.pk}/change/",
                "/admin/articles/category/", "/admin/articles/category/add/", "/admin/articles/banner/add/",
                "/admin/comments/comment/", f"/admin/comments/comment/{Comment.objects.get().pk}/change/"):
        assert admin_client.get(url).status_code == 200, url


def test_source_list_shows_health_and_article_counts(admin_client, newsroom):
    gazette = newsroom.sources["gazette"]
    gazette.consecutive_failures, gazette.last_error = 3, "HTTP 503 from the feed"
    gazette.save()
    html = admin_client.get("/admin/sources/source/").content.decode()
    row = re.search(r"<tr>.*?Harbour Gazette.*?</tr>", html, re.S).group(0)
    assert "HTTP 503 from the feed" in row and 'alt="False"' in row
    assert '<td class="field-article_count">10</td>' in row
    change = admin_client.get(f"/admin/sources/source/{gazette.pk}/change/").content.decode()
    assert "Health" in change and "feeds-TOTAL_FORMS" in change


def test_comment_queue_counts_and_bulk_actions(admin_client, client, newsroom):
    article = newsroom.articles[0]
    comments = [add_comment(article, n) for n in range(4)]
    add_comment(article, 9, Comment.APPROVED)
    html = admin_client.get("/admin/comments/comment/").content.decode()
    assert "4 awaiting moderation" in html
    assert "Pending (4)" in html and "Approved (1)" in html and "Spam (0)" in html
    pending = admin_client.get("/admin/comments/comment/?status=pending").content.decode()
    assert pending.count('class="action-select"') == 4
    public = client.get(article.get_absolute_url()).content.decode()  # cached now
    assert "Comment 0" not in public

    admin_client.post("/admin/comments/comment/", {"action": "approve",
                                                   "_selected_action": [comments[0].pk, comments[1].pk]})
    admin_client.post("/admin/comments/comment/", {"action": "mark_spam", "_selected_action": [comments[2].pk]})
    statuses = dict(Comment.objects.values_list("text", "status"))
    assert statuses == {"Comment 0": "approved", "Comment 1": "approved", "Comment 2": "spam",
                        "Comment 3": "pending", "Comment 9": "approved"}
    public = client.get(article.get_absolute_url()).content.decode()
    assert "Comment 0" in public and "Comment 1" in public and "Comment 2" not in public

    response = admin_client.post("/admin/comments/comment/", {"action": "delete_selected", "post": "yes",
                                                              "_selected_action": [comments[0].pk]})
    assert response.status_code == 302 and not Comment.objects.filter(pk=comments[0].pk).exists()
    assert "Comment 0" not in client.get(article.get_absolute_url()).content.decode()


def test_articles_can_be_unpublished_and_edited(admin_client, client, newsroom):
    article = newsroom.articles[0]
    assert article.title in client.get("/").content.decode()
    admin_client.post("/admin/articles/article/", {"action": "unpublish", "_selected_action": [article.pk]})
    assert not Article.objects.get(pk=article.pk).is_published
    assert article.title not in client.get("/").content.decode()
    assert client.get(article.get_absolute_url()).status_code == 404

    response = admin_client.post(f"/admin/articles/article/{article.pk}/change/", {
        "title": "An edited title", "category": newsroom.categories["sport"].pk, "is_published": "on"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.category.slug, article.is_published) == ("An edited title", "sport", True)
    assert "An edited title" in client.get("/category/sport/").content.decode()
    assert "An edited title" in client.get("/search/?q=edited").content.decode()


def test_reextract_without_a_stored_page_reports_it(admin_client, newsroom):
    article = newsroom.articles[0]
    response = admin_client.post("/admin/articles/article/", {"action": "reextract", "_selected_action": [article.pk]},
                                 follow=True)
    assert "has no stored page" in response.content.decode()


def test_categories_list_as_a_tree_and_cannot_form_a_cycle(admin_client, newsroom):
    html = admin_client.get("/admin/articles/category/").content.decode()
    names = re.findall(r'<th class="field-tree_name"><a href="[^"]+">([^<]+)</a>', html)
    assert names == ["News", "— World", "Sport", "Business", "Science"]
    news, world = newsroom.categories["news"], newsroom.categories["world"]
    response = admin_client.post(f"/admin/articles/category/{news.pk}/change/",
                                 {"name": "News", "slug": "news", "parent": world.pk, "order": 0})
    assert response.status_code == 200 and "cannot be placed under itself" in response.content.decode()
    assert Category.objects.get(pk=news.pk).parent is None


def test_banner_edited_in_the_admin_appears_on_the_site(admin_client, client, newsroom):
    client.get("/")
    admin_client.post("/admin/articles/banner/add/", {"enabled": "on", "label": "Sponsored",
                                                      "text": "Brought to you by Example", "link": "https://ex.example/"})
    html = client.get("/").content.decode()
    assert "Brought to you by Example" in html and '<span class="banner-label">Sponsored</span>' in html


def test_stories_list_their_articles_and_outlets(admin_client, newsroom):
    by_source: dict[int, Article] = {}
    for article in newsroom.articles:
        by_source.setdefault(article.source_id, article)
    first, second = list(by_source.values())[:2]
    story = Story.objects.create(title=first.title, article_count=2)
    Article.objects.filter(pk__in=[first.pk, second.pk]).update(story=story)
    alone = Story.objects.create(title=newsroom.articles[-1].title, article_count=1)
    Article.objects.filter(pk=newsroom.articles[-1].pk).update(story=alone)

    several = admin_client.get("/admin/articles/story/?coverage=several").content.decode()
    assert first.title in several and alone.title not in several
    assert alone.title in admin_client.get("/admin/articles/story/?coverage=one").content.decode()

    page = admin_client.get(f"/admin/articles/story/{story.pk}/change/").content.decode()
    assert second.title in page and second.source.name in page
    assert admin_client.get("/admin/articles/story/add/").status_code == 403
    assert story.title in admin_client.get(f"/admin/articles/article/{first.pk}/change/").content.decode()


def test_editors_fix_stories_from_the_articles_list(admin_client, newsroom):
    first, second, third = newsroom.articles[:3]
    response = admin_client.post("/admin/articles/article/", {
        "action": "group_together", "_selected_action": [first.pk, second.pk, third.pk]}, follow=True)
    assert "3 article(s) now make up the story" in response.content.decode()
    stories = set(Article.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("story_id", flat=True))
    assert len(stories) == 1 and Story.objects.get(pk=stories.pop()).article_count == 3

    response = admin_client.post("/admin/articles/article/", {
        "action": "separate", "_selected_action": [third.pk]}, follow=True)
    assert "1 article(s) taken out of a shared story" in response.content.decode()
    third.refresh_from_db()
    assert Story.objects.get(pk=third.story_id).article_count == 1 and third.story_pinned
    page = admin_client.get(f"/admin/articles/article/{third.pk}/change/").content.decode()
    assert "Story chosen by an editor" in page

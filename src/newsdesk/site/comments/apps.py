from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "newsdesk.site.comments"
    label = "comments"
    verbose_name = "Comments"

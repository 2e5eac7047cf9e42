from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "newsdesk.site.comments"
    label = "comments"
    verbose_name = "Comments"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)

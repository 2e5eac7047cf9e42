from django.apps import AppConfig


class NewsdeskConfig(AppConfig):
    """The project-level app: it carries the ``newsdesk`` management commands."""

    name = "newsdesk.site"
    label = "newsdesk"
    verbose_name = "newsdesk"

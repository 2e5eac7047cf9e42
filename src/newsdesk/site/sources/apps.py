from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "newsdesk.site.sources"
    label = "sources"
    verbose_name = "Sources"

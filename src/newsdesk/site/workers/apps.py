from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "newsdesk.site.workers"
    label = "workers"
    verbose_name = "Workers"

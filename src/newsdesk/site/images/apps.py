from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "newsdesk.site.images"
    label = "images"
    verbose_name = "Pictures"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers

from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "newsdesk.site.entities"
    label = "entities"
    verbose_name = "People, organisations and places"

from django.apps import AppConfig


class AutolabConfig(AppConfig):
    name = "autolab"
    verbose_name = "autolab"

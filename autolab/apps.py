from django.apps import AppConfig


class AutolabConfig(AppConfig):
    name = "autolab"
    verbose_name = "autolab"

    def ready(self) -> None:
        from autolab import checks  # noqa: F401 - registers the deploy check of the secrets

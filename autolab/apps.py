from django.apps import AppConfig


class AutolabConfig(AppConfig):
    name = "autolab"
    verbose_name = "autolab"

    def ready(self) -> None:
        from autolab import audit, checks, search  # noqa: F401 - the deploy check of the secrets; the audit and search tables

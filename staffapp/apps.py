from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class StaffappConfig(AppConfig):
    name = "staffapp"
    verbose_name = "Staff"

    def ready(self) -> None:
        # Every app's portal.py registers its pages into the portal site.
        autodiscover_modules("portal")

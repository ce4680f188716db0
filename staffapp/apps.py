from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class StaffappConfig(AppConfig):
    name = "staffapp"
    verbose_name = "Staff"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        from autolab import events
        from staffapp import push
        from staffapp.services import revoke_tokens_on_password_change

        # Every app's portal.py registers its pages into the portal site.
        autodiscover_modules("portal")
        # Web Push observes every live event, in this one place (staffapp.push.classify).
        events.observe(push.on_live_event)
        pre_save.connect(revoke_tokens_on_password_change, sender=get_user_model(), dispatch_uid="staff-token-rotate")

from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Customers & chat"

    def ready(self) -> None:
        # Imported here, not at the top: it loads models, which wait for the app registry.
        from chat import searching

        searching.register()

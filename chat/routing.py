from django.urls import re_path

from chat.consumers import ChatConsumer

websocket_urlpatterns: list = [
    # django-stubs type re_path for views only; Channels routes ASGI applications through it too.
    re_path(r"^ws/?$", ChatConsumer.as_asgi()),  # type: ignore[arg-type]
]

from django.urls import re_path

from chat.consumers import ChatConsumer

websocket_urlpatterns: list = [
    re_path(r"^ws/?$", ChatConsumer.as_asgi()),
]

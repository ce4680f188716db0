"""One ASGI process serves HTTP (Django) and the chat WebSocket at /ws/ (Channels)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autolab.settings.base")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chat.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The website is served from another origin, so Origin is not checked here; customers
        # are identified by their server-issued id and staff by session or token.
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)

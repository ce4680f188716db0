"""The contract suite reuses the fake Stripe server and the WebSocket helpers of the domain suites."""

from tests.billing.conftest import _stripe_server, fake_stripe  # noqa: F401
from tests.chat.conftest import open_socket  # noqa: F401

"""Customers & chat pages of the staff portal."""

from chat.emails import portal as _email_portal  # noqa: F401 - email pages register themselves

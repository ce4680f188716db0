"""The staff header's badges: what is waiting in each queue, read from the data (never counted in
the browser), so a new tab shows the same numbers and a staff member's own actions never raise them.

- **Inbox**: conversations with customer messages nobody has viewed, that are this member's or
  still unassigned (a Query of the inbox index, counted by DynamoDB).
- **Inquiries**: inquiries still OPEN (a Query of the status index, counted).

Pages get the counts when they are rendered; the staff socket sends fresh ones whenever a
service changes what they count (``live.badges_changed``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.urls import reverse

from autolab.permissions import Permission, StaffIdentity
from chat import selectors


@dataclass(frozen=True)
class Badge:
    category: str
    label: str
    count: int
    url: str
    description: str  # what the count means, for screen readers and the tooltip

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def badges_for(staff: StaffIdentity) -> list[Badge]:
    """The queues ``staff`` may open, each with its count."""
    badges = []
    if staff.has(Permission.CHAT_INBOX):
        unread = selectors.unread_conversation_count(staff.user_id)
        badges.append(
            Badge(
                category="messages",
                label="Inbox",
                count=unread,
                url=reverse("admin:chat-inbox"),
                description=f"{unread} conversation{'s' if unread != 1 else ''} with unread messages",
            )
        )
    if staff.has(Permission.INQUIRY_VIEW):
        waiting = selectors.open_inquiry_count()
        badges.append(
            Badge(
                category="inquiries",
                label="Inquiries",
                count=waiting,
                url=reverse("admin:chat-inquiries") + "?status=OPEN",
                description=f"{waiting} open inquir{'ies' if waiting != 1 else 'y'}",
            )
        )
    return badges

"""Chat's panels of the staff dashboard: conversations waiting for a reply and open inquiries."""

from __future__ import annotations

from typing import Any

from autolab.permissions import Permission, StaffIdentity
from chat import selectors
from staffapp.sites import portal_site

SHOWN = 5  # the newest ones; the inbox and the inquiries list have the rest


@portal_site.register_panel(
    name="chats",
    title="Unread chats",
    template="chat/dashboard/chats.html",
    permissions=(Permission.CHAT_INBOX,),
    refresh_on=("inbox", "badges"),
    order=40,
)
def chats_panel(staff: StaffIdentity) -> dict[str, Any]:
    """What the Inbox badge counts (unread, this member's or unassigned), split by assignment."""
    waiting = selectors.inbox_waiting(staff.user_id)
    unassigned = [customer for customer in waiting if not customer.assigned_to]
    return {"waiting": waiting[:SHOWN], "count": len(waiting), "unassigned": len(unassigned)}


@portal_site.register_panel(
    name="inquiries",
    title="Open inquiries",
    template="chat/dashboard/inquiries.html",
    permissions=(Permission.INQUIRY_VIEW,),
    refresh_on=("inquiry.created", "badges"),
    order=50,
)
def inquiries_panel(staff: StaffIdentity) -> dict[str, Any]:
    found = selectors.inquiries_open()
    return {"inquiries": found[:SHOWN], "count": len(found)}

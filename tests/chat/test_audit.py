"""Audit trail of inquiry replies and status moves, shown on the inquiry page."""

from __future__ import annotations

from autolab import audit
from tests.chat.test_inquiry_reply import _inquiry, _reply, portal


def test_inquiry_reply_and_status_are_audited_and_shown(support):
    inquiry = _inquiry()
    client = portal(support)
    url = f"/admin/chat/inquiries/{inquiry.inquiry_id}/"
    assert client.post(url, _reply(resolve="")).status_code == 302
    reply = audit.history("inquiry", inquiry.inquiry_id).entries[0]
    assert (reply.actor_id, reply.action) == (support.user_id, "inquiry.reply")
    assert reply.changed == {"reply": [None, "Re: Do you service Subaru Foresters?"], "status": ["OPEN", "IN_PROGRESS"]}
    assert client.post(url, {"action": "status", "status": "RESOLVED"}).status_code == 302
    moved = audit.history("inquiry", inquiry.inquiry_id).entries[0]
    assert (moved.action, moved.changed) == ("inquiry.status", {"status": ["IN_PROGRESS", "RESOLVED"]})
    history = client.get(url).content.decode().split('id="audit-history"')[1]
    assert "inquiry.status" in history
    assert "inquiry.reply" in history


def test_canned_reply_create_and_delete_are_audited(support):
    from chat import services

    reply = services.canned_reply_create(title="Hours", text="Open 8 to 5.", staff=support.identity)
    created = audit.history("canned_reply", reply.reply_id).entries[0]
    assert (created.actor_id, created.action) == (support.user_id, "canned_reply.create")
    assert created.changed == {"text": [None, "Open 8 to 5."], "title": [None, "Hours"]}
    assert portal(support).post(f"/admin/chat/canned-replies/{reply.reply_id}/delete/").status_code == 302
    deleted = audit.history("canned_reply", reply.reply_id).entries[0]
    assert (deleted.actor_id, deleted.action) == (support.user_id, "canned_reply.delete")
    assert deleted.changed == {"text": ["Open 8 to 5.", None], "title": ["Hours", None]}

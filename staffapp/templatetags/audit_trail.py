"""``{% audit_history "appointment" appointment.appointment_id %}``: a record page's History section,
the record's audit entries newest first (one Query, autolab.audit)."""

from __future__ import annotations

from typing import Any

from django import template

from autolab import audit

register = template.Library()
HISTORY_LENGTH = 50


STATUS_FIELDS = frozenset({"status", "paymentStatus"})


def _shown(name: str, value: Any) -> Any:
    """A status as the portal's badges name it ("Ongoing"), not its stored enum ("ONGOING")."""
    if name in STATUS_FIELDS and isinstance(value, str):
        return value.replace("_", " ").capitalize()
    return value


def rows(entries: list[audit.AuditEntry]) -> list[dict[str, Any]]:
    """Entries as the History table shows them: when, who, what, and each changed field."""
    return [
        {
            "at": entry.created_at,
            "actor": entry.actor_name or entry.actor_id,
            "action": entry.action,
            "record": f"{entry.record_type} {entry.record_id}",
            "changes": [
                (name, _shown(name, values[0]), _shown(name, values[1])) for name, values in entry.changed.items()
            ],
        }
        for entry in entries
    ]


@register.inclusion_tag("staffapp/_history.html")
def audit_history(record_type: str, record_id: str) -> dict[str, Any]:
    page = audit.history(record_type, str(record_id), limit=HISTORY_LENGTH)
    return {"rows": rows(page.entries), "more": page.more, "show_record": False}


@register.simple_tag(takes_context=True)
def recent_actions(context: template.Context, limit: int = 10) -> list[dict[str, Any]]:
    """The signed-in staff member's own latest changes, for the index's "Recent actions" box."""
    staff = context.get("staff")
    if staff is None:
        return []
    return rows(audit.by_actor(staff.user_id, limit=limit).entries)

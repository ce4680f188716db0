"""Roles in words on portal pages: ``{{ role|role_label }}``, ``{% everyone_can %}`` and
``{% role_note "appointment.status_support" %}`` where a page hides a control from a role."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from autolab.permissions import Permission
from staffapp import roles

register = template.Library()


@register.filter
def role_label(role: str) -> str:
    return roles.role_label(role)


@register.simple_tag
def everyone_can() -> str:
    return roles.everyone_can()


@register.simple_tag(takes_context=True)
def role_note(context: Any, permission: str) -> str:
    """A short line saying which role has the control this page hides from the signed-in staff
    member (nothing when they have it): "Only Admin can confirm … ; your roles: Customer support"."""
    note = roles.role_note(context.get("staff"), Permission(permission))
    return format_html('<p class="help role-note">{}</p>', note) if note else ""

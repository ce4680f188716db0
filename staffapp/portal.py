"""Staff management pages (ADMIN): list, create, roles, deactivate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from autolab import audit, search
from autolab.exceptions import ApplicationError, Conflict
from autolab.permissions import Permission, staff_required
from staffapp import forms, push, selectors, services
from staffapp.actions import post_action
from staffapp.paging import cursor_page, pager_links
from staffapp.rendering import or_404, render_page
from staffapp.sites import portal_site
from staffapp.templatetags.audit_trail import rows

if TYPE_CHECKING:
    from staffapp.models import Staff

STAFF_MANAGE = (Permission.STAFF_MANAGE,)
PAGE_SIZE = 50


@portal_site.register_page(
    section="Staff", title="Staff members", route="staff/", name="staff-list", permissions=STAFF_MANAGE, order=90
)
def staff_list(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("page") or "1"
    members, paginator = selectors.staff_list(page=int(raw) if raw.isdigit() else 1, per_page=PAGE_SIZE)
    page = paginator.get_page(raw)
    following = str(page.next_page_number()) if page.has_next() else None
    context = {"members": members, **pager_links(request, following, is_first=page.number == 1, param="page")}
    return render_page(request, "staffapp/staff/list.html", context, title="Staff members")


@portal_site.register_page(
    section="Staff", title="Add staff member", route="staff/add/", name="staff-add", permissions=STAFF_MANAGE, order=91
)
@require_http_methods(["GET", "POST"])
def staff_add(request: HttpRequest) -> HttpResponse:
    form = forms.StaffCreateForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            staff = services.staff_create(**form.cleaned_data, actor=staff_required(request))
        except Conflict as error:
            form.add_error("email", error.message)  # an existing member is changed on their own page
            status = 409
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Added {staff.user_name} ({staff.user_email}).")
            return redirect("admin:staff-detail", email=staff.user_email)
    response = render_page(request, "staffapp/staff/add.html", {"form": form}, title="Add staff member")
    response.status_code = status
    return response


def _member_or_404(email: str) -> Staff:
    return or_404(selectors.staff_get(email), "Staff member not found")


@portal_site.register_page(
    section="Staff",
    title="Staff member",
    route="staff/<str:email>/",
    name="staff-detail",
    permissions=STAFF_MANAGE,
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def staff_detail(request: HttpRequest, email: str) -> HttpResponse:
    member = _member_or_404(email)
    actor = staff_required(request)
    form = forms.StaffRolesForm(request.POST or None, initial={"roles": member.roles})
    if request.method == "POST" and form.is_valid():
        return post_action(
            request,
            lambda: services.staff_set_roles(actor=actor, email=email, roles=form.cleaned_data["roles"]),
            success=f"Roles of {member.user_name} saved.",
            redirect_to=reverse("admin:staff-detail", kwargs={"email": email}),
        )
    context = {"member": member, "form": form, "is_self": actor is not None and actor.email == member.user_email}
    return render_page(request, "staffapp/staff/detail.html", context, title=member.user_name)


@portal_site.register_page(
    section="Staff",
    title="Change access",
    route="staff/<str:email>/access/",
    name="staff-access",
    permissions=STAFF_MANAGE,
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def staff_access(request: HttpRequest, email: str) -> HttpResponse:
    """Confirmation page, then deactivate or reactivate."""
    member = _member_or_404(email)
    if request.method == "POST":
        state = "reactivated" if not member.is_active else "deactivated"
        return post_action(
            request,
            lambda: services.staff_set_active(actor=staff_required(request), email=email, active=not member.is_active),
            success=f"{member.user_name} was {state}.",
            redirect_to=reverse("admin:staff-detail", kwargs={"email": email}),
        )
    return render_page(
        request, "staffapp/staff/access_confirm.html", {"member": member}, title=f"Change access of {member.user_name}"
    )


@portal_site.register_page(
    section="Staff",
    title="Staff member's actions",
    route="staff/<str:email>/audit/",
    name="staff-audit",
    permissions=STAFF_MANAGE,
    in_index=False,
)
def staff_audit(request: HttpRequest, email: str) -> HttpResponse:
    """What one staff member changed, newest first (ADMIN: staff management)."""
    member = _member_or_404(email)
    page = cursor_page(request, lambda cursor: audit.actor_page(member.user_id, limit=PAGE_SIZE, cursor=cursor))
    context = {"member": member, "rows": rows(page.items), "show_record": True, **page.pager}
    return render_page(request, "staffapp/staff/audit.html", context, title=f"Actions of {member.user_name}")


@portal_site.register_page(section="Search", title="Search", route="search/", name="search", order=1)
def search_page(request: HttpRequest) -> HttpResponse:
    """Customers, appointments, orders, invoices and vehicles by name, email, phone, rego, VIN or
    reference: one Query of the search index (autolab.search); each staff member sees the kinds
    their roles may open."""
    q = (request.GET.get("q") or "").strip()[:200]
    staff = staff_required(request)
    tokens = search.query_tokens(q)
    too_short = bool(q) and max((len(token) for token in tokens), default=0) < search.MIN_TOKEN
    hits = search.search(q, allowed=search.visible_kinds(staff), limit=SEARCH_LIMIT) if q and not too_short else []
    hint = "Type at least 2 letters or digits." if too_short else ""
    context = {"q": q, "hint": hint, "groups": _result_groups(hits)}
    return render_page(request, "staffapp/search.html", context, title="Search")


SEARCH_LIMIT = 30


def _result_groups(hits: list[search.Hit]) -> list[dict[str, object]]:
    """The hits by kind, in the order the kinds were declared, each with its page's address."""
    kinds = search.kinds()
    groups: dict[str, dict[str, object]] = {}
    for hit in hits:
        kind, url = kinds[hit.kind], search.page_of(hit)
        if url is None:
            continue
        group = groups.setdefault(kind.name, {"title": kind.title + "s", "hits": []})
        group["hits"].append({"label": hit.label, "subtitle": hit.subtitle, "url": url})  # type: ignore[attr-defined]
    order = list(kinds)
    return [groups[name] for name in sorted(groups, key=order.index)]


# --- Notifications (Web Push, #16.5) -------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _push_answer(request: HttpRequest, message: str, *, status: int = 200) -> HttpResponse:
    """The page's own script gets JSON; a plain form post is redirected back with the message."""
    if _wants_json(request):
        return JsonResponse({"message": message}, status=status)
    (messages.success if status < 400 else messages.error)(request, message)
    return redirect("admin:staff-notifications")


@portal_site.register_page(
    section="Your settings",
    title="Notifications",
    route="notifications/",
    name="staff-notifications",
    permissions=(Permission.STAFF_NOTIFICATIONS,),
    order=95,
)
@require_http_methods(["GET", "POST"])
def staff_notifications(request: HttpRequest) -> HttpResponse:
    """Subscribe this device to Web Push, remove devices, and choose which notifications to get."""
    staff = staff_required(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "subscribe":
                push.subscribe(
                    staff=staff,
                    endpoint=request.POST.get("endpoint", ""),
                    p256dh=request.POST.get("p256dh", ""),
                    auth=request.POST.get("auth", ""),
                    user_agent=request.headers.get("User-Agent", ""),
                )
                return _push_answer(request, "This device will get your notifications.")
            if action == "unsubscribe":
                removed = push.unsubscribe(staff=staff, subscription=request.POST.get("subscription", ""))
                if not removed:
                    return _push_answer(request, "That device was already removed.", status=404)
                return _push_answer(request, "The device was removed.")
            if action == "kinds":
                chosen = push.set_kinds(staff=staff, kinds=request.POST.getlist("kinds"))
                return _push_answer(request, f"Saved: you get {len(chosen)} kind(s) of notification.")
        except ApplicationError as error:
            return _push_answer(request, error.message, status=400)
        return _push_answer(request, "Unknown action", status=400)
    member = selectors.staff_get(staff.email)
    current = set(push.chosen_kinds(member) if member is not None else [])
    kinds = [
        {"value": kind.value, "label": push.KINDS[kind].label, "checked": kind in current}
        for kind in push.allowed_kinds(staff)
    ]
    context = {
        "kinds": kinds,
        "devices": push.devices_of(staff.user_id),
        "vapid_public_key": push.vapid_public_key() if settings.PUSH_ENABLED else None,
    }
    return render_page(request, "staffapp/notifications.html", context, title="Notifications")

"""Customers & chat pages of the staff portal: support inbox, conversations, customers, inquiries, canned replies."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from autolab.exceptions import ApplicationError
from autolab.permissions import Permission, StaffIdentity, staff_required
from chat import (
    dashboard_portal,  # noqa: F401  (registers chat's dashboard panels)
    forms,
    inquiries,
    live,
    messaging,
    selectors,
    services,
)
from chat.validation import Profile, clean_profile
from emails import selectors as email_selectors
from staffapp.actions import post_action, refused
from staffapp.paging import cursor_page
from staffapp.rendering import or_404, render_page
from staffapp.selectors import staff_get_by_user_id
from staffapp.sites import portal_site
from staffapp.templatetags.staff_format import label

if TYPE_CHECKING:
    from chat.models import Customer, Inquiry

SECTION = "Customers & chat"
INBOX = (Permission.CHAT_INBOX,)
PAGE_SIZE = 25


def _staff_names(user_ids: set[str]) -> dict[str, str]:
    names = {}
    for user_id in user_ids:
        staff = staff_get_by_user_id(user_id)
        names[user_id] = staff.user_name if staff else user_id
    return names


def _assignee(customer: Customer) -> str:
    """The name of the staff member who took ``customer``'s conversation, or "" while it is shared."""
    if not customer.assigned_to:
        return ""
    return _staff_names({customer.assigned_to})[customer.assigned_to]


@portal_site.register_page(
    section=SECTION, title="Support inbox", route="chat/inbox/", name="chat-inbox", permissions=INBOX, order=60
)
def inbox(request: HttpRequest) -> HttpResponse:
    chosen = request.GET.get("filter", "")
    only = chosen if chosen in ("mine", "unassigned") else "all"
    staff = staff_required(request)
    page = cursor_page(
        request,
        lambda cursor: selectors.inbox_list(limit=PAGE_SIZE, cursor=cursor, only=only, staff_user_id=staff.user_id),
    )
    online = selectors.online_customer_ids()
    names = _staff_names({c.assigned_to for c in page.items if c.assigned_to})
    rows = [
        {"customer": c, "online": c.user_id in online, "assignee": names.get(c.assigned_to or "", "")}
        for c in page.items
    ]
    context = {"rows": rows, "filter": only, "me": staff.user_id, **page.pager}
    return render_page(request, "chat/inbox.html", context, title="Support inbox")


@portal_site.register_page(
    section=SECTION,
    title="Conversation",
    route="chat/inbox/<str:client_id>/",
    name="chat-conversation",
    permissions=INBOX,
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, client_id: str) -> HttpResponse:
    customer = or_404(selectors.customer_get(client_id), "Customer not found")
    staff = staff_required(request)
    if request.method == "POST":
        return _conversation_action(request, client_id)
    messaging.conversation_mark_viewed(client_id=client_id, staff=staff)
    history = selectors.message_list_for_client(client_id, limit=50, cursor=None)
    context = {
        "customer": customer,
        "history": list(reversed(history.items)),
        "online": selectors.connection_is_live(client_id),
        "assignee": _assignee(customer),
        "is_mine": customer.assigned_to == staff.user_id,
        "can_take": staff.has(Permission.CUSTOMER_TAKE),
        "replies": selectors.canned_reply_list(),
        "me": staff.user_id,
    }
    return render_page(request, "chat/conversation.html", context, title=customer.user_name or "Customer")


def _conversation_action(request: HttpRequest, client_id: str) -> HttpResponse:
    staff = staff_required(request)
    action = request.POST.get("action")
    here = reverse("admin:chat-conversation", kwargs={"client_id": client_id})
    if action == "send":
        if request.headers.get("x-requested-with") == "fetch":
            return _send_json(request, client_id, staff)
        return post_action(
            request,
            lambda: messaging.message_send(client_id=client_id, text=request.POST.get("message"), staff=staff),
            success=None,  # the message itself shows in the conversation
            redirect_to=here,
        )
    if action in ("take", "release") and staff.has(Permission.CUSTOMER_TAKE):
        change = services.customer_take if action == "take" else services.customer_release
        return post_action(
            request,
            lambda: change(client_id=client_id, staff=staff),
            success="You took this conversation." if action == "take" else "Conversation released to the shared queue.",
            redirect_to=here,
        )
    return refused(request, "That action is not available to you.", here)


def _send_json(request: HttpRequest, client_id: str, staff: StaffIdentity) -> JsonResponse:
    """The conversation page's own fetch: the sent message as JSON, or the refusal with its status."""
    try:
        sent = messaging.message_send(client_id=client_id, text=request.POST.get("message"), staff=staff)
    except ApplicationError as error:
        return JsonResponse({"success": False, "message": error.message}, status=error.status_code)
    return JsonResponse({"success": True, "message": live.message_with_sender(sent.message, sent.sender_name)})


@portal_site.register_page(
    section=SECTION,
    title="Canned replies",
    route="chat/canned-replies/",
    name="chat-canned-replies",
    permissions=(Permission.CANNED_REPLIES_MANAGE,),
    order=61,
)
@require_http_methods(["GET", "POST"])
def canned_replies(request: HttpRequest) -> HttpResponse:
    form = forms.CannedReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = post_action(
            request,
            lambda: services.canned_reply_create(**form.cleaned_data, staff=staff_required(request)),
            success=f"Canned reply “{form.cleaned_data['title']}” added.",
            redirect_to="admin:chat-canned-replies",
            form=form,
        )
        if done:
            return done
    context = {"replies": selectors.canned_reply_list(), "form": form}
    return render_page(request, "chat/canned_replies.html", context, title="Canned replies")


@portal_site.register_page(
    section=SECTION,
    title="Delete canned reply",
    route="chat/canned-replies/<str:reply_id>/delete/",
    name="chat-canned-reply-delete",
    permissions=(Permission.CANNED_REPLIES_MANAGE,),
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def canned_reply_delete(request: HttpRequest, reply_id: str) -> HttpResponse:
    reply = or_404(selectors.canned_reply_get(reply_id), "Canned reply not found")
    if request.method == "POST":
        return post_action(
            request,
            lambda: services.canned_reply_delete(reply_id=reply_id, staff=staff_required(request)),
            success=f"Canned reply “{reply.title}” deleted.",
            redirect_to="admin:chat-canned-replies",
        )
    return render_page(request, "chat/canned_reply_delete.html", {"reply": reply}, title="Delete canned reply")


@portal_site.register_page(
    section=SECTION,
    title="Customers",
    route="chat/customers/",
    name="chat-customers",
    permissions=(Permission.USERS_VIEW,),
    order=62,
)
def customers(request: HttpRequest) -> HttpResponse:
    form = forms.CustomerSearchForm(request.GET or None)
    search = form.cleaned_data["search"] if form.is_valid() else ""
    page = cursor_page(request, lambda cursor: selectors.customer_list(limit=PAGE_SIZE, cursor=cursor, search=search))
    online = selectors.online_customer_ids()
    rows = [{"customer": c, "online": c.user_id in online} for c in page.items]
    context = {"rows": rows, "form": form, **page.pager}
    return render_page(request, "chat/customers.html", context, title="Customers")


@portal_site.register_page(
    section=SECTION,
    title="Customer",
    route="chat/customers/<str:user_id>/",
    name="chat-customer",
    permissions=(Permission.USERS_VIEW,),
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def customer_detail(request: HttpRequest, user_id: str) -> HttpResponse:
    customer = or_404(selectors.customer_get(user_id), "Customer not found")
    staff = staff_required(request)
    initial = {
        "userName": customer.user_name,
        "userEmail": customer.user_email,
        "contactNumber": customer.contact_number,
        "userDevice": customer.user_device,
        "userLocation": customer.user_location,
    }
    form = forms.CustomerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not staff.has(Permission.CUSTOMER_EDIT):
            return refused(
                request, "Only Admin and Customer Support can edit customers.", "admin:chat-customer", user_id=user_id
            )
        if form.is_valid():
            changed = {name: value for name, value in form.cleaned_data.items() if value and value != initial.get(name)}
            done = post_action(
                request,
                lambda: _profile_save(user_id, changed),
                success=lambda profile: f"Saved: {', '.join(profile.given_names())}.",
                redirect_to=reverse("admin:chat-customer", kwargs={"user_id": user_id}),
                form=form,
            )
            if done:
                return done
    context = {
        "customer": customer,
        "form": form,
        "online": selectors.connection_is_live(user_id),
        "can_edit": staff.has(Permission.CUSTOMER_EDIT),
        "assignee": _assignee(customer),
    }
    return render_page(request, "chat/customer_detail.html", context, title=customer.user_name or customer.user_id)


def _profile_save(user_id: str, changed: dict[str, str]) -> Profile:
    """The changed fields under the API's rules (its messages become the form's errors)."""
    profile = clean_profile(changed, strict=True)
    services.customer_update_profile(user_id=user_id, profile=profile)
    return profile


@portal_site.register_page(
    section=SECTION,
    title="Inquiries",
    route="chat/inquiries/",
    name="chat-inquiries",
    permissions=(Permission.INQUIRY_VIEW,),
    order=63,
)
def inquiry_list(request: HttpRequest) -> HttpResponse:
    form = forms.InquiryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = cursor_page(
        request,
        lambda cursor: selectors.inquiry_list(
            limit=PAGE_SIZE,
            cursor=cursor,
            status=filters.get("status") or None,
            start=filters.get("start"),
            end=filters.get("end"),
        ),
    )
    context = {"inquiries": page.items, "form": form, **page.pager}
    return render_page(request, "chat/inquiries.html", context, title="Inquiries")


@portal_site.register_page(
    section=SECTION,
    title="Inquiry",
    route="chat/inquiries/<str:inquiry_id>/",
    name="chat-inquiry",
    permissions=(Permission.INQUIRY_VIEW,),
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def inquiry_detail(request: HttpRequest, inquiry_id: str) -> HttpResponse:
    inquiry = or_404(selectors.inquiry_get(inquiry_id), "Inquiry not found")
    staff = staff_required(request)
    can_reply = staff.has(Permission.INQUIRY_MANAGE) and staff.has(Permission.EMAIL_SEND)
    canned = {reply.reply_id: (reply.title, reply.text) for reply in selectors.canned_reply_list()} if can_reply else {}
    form = forms.InquiryReplyForm(
        request.POST if request.POST.get("action") == "reply" else None,
        replies=canned,
        initial={"subject": inquiries.reply_subject(inquiry), "key": uuid.uuid4(), "resolve": True},
    )
    if request.method == "POST":
        if request.POST.get("action") != "reply":
            return _inquiry_move(request, inquiry_id, staff)
        if not can_reply:
            return refused(request, "Only Admin and Customer Support can answer an inquiry.", here(inquiry_id))
        if form.is_valid():
            done = _inquiry_reply(request, inquiry_id, form, staff)
            if done:
                return done
    customer = selectors.customer_get(inquiry.user_id)
    context = {
        "inquiry": inquiry,
        "customer_name": (customer.user_name if customer else "") or f"{inquiry.first_name} {inquiry.last_name}",
        "next_statuses": _next_statuses(inquiry) if staff.has(Permission.INQUIRY_MANAGE) else [],
        "history": inquiry.status_history or [],
        "replies": inquiry.replies or [],
        "form": form if can_reply else None,
        "canned_texts": {key: text for key, (_, text) in canned.items()},
        "suppressed": email_selectors.email_is_suppressed(inquiry.email),
        "can_read_email": staff.has(Permission.EMAIL_VIEW),
    }
    return render_page(
        request, "chat/inquiry_detail.html", context, title=f"Inquiry from {inquiry.first_name} {inquiry.last_name}"
    )


def _next_statuses(inquiry: Inquiry) -> list[str]:
    """Where the inquiry can go from here, in the workflow's order."""
    allowed = inquiries.TRANSITIONS.get(inquiry.status or inquiries.OPEN, frozenset())
    return [status for status in inquiries.STATUSES if status in allowed]


def here(inquiry_id: str) -> str:
    return reverse("admin:chat-inquiry", kwargs={"inquiry_id": inquiry_id})


def _inquiry_reply(
    request: HttpRequest, inquiry_id: str, form: forms.InquiryReplyForm, staff: StaffIdentity
) -> HttpResponse | None:
    data = form.cleaned_data
    reply = inquiries.Reply(subject=data["subject"], text=data["text"], key=str(data["key"]), resolve=data["resolve"])

    def said(answered: inquiries.Answered) -> str:
        return f"Reply emailed to {answered.inquiry.email}; the inquiry is {label(answered.inquiry.status).lower()}."

    return post_action(
        request,
        lambda: inquiries.inquiry_answer(inquiry_id=inquiry_id, reply=reply, staff=staff),
        success=said,
        redirect_to=here(inquiry_id),
        form=form,
    )


def _inquiry_move(request: HttpRequest, inquiry_id: str, staff: StaffIdentity) -> HttpResponse:
    if not staff.has(Permission.INQUIRY_MANAGE):
        return refused(request, "Only Admin and Customer Support can change an inquiry's status.", here(inquiry_id))
    status = request.POST.get("status")
    return post_action(
        request,
        lambda: inquiries.inquiry_set_status(inquiry_id=inquiry_id, status=status, staff=staff),
        success=lambda moved: f"Inquiry moved to {label(moved.status).lower()}.",
        redirect_to=here(inquiry_id),
    )

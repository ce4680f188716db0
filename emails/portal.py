"""Email pages of the staff portal: mailbox (threads, thread view, compose, reply), suppression
list with add/remove, and per-day email analytics as a chart."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from autolab import clock
from autolab.pagination import Page
from autolab.permissions import Permission, staff_of, staff_required
from emails import chart, forms, mailbox, selectors, suppression
from emails.serializers import thread_out
from staffapp.actions import post_action
from staffapp.paging import cursor_page
from staffapp.rendering import or_404, render_page
from staffapp.selectors import staff_get_many
from staffapp.sites import portal_site

if TYPE_CHECKING:
    from emails.models import EmailMetadata

SECTION = "Email"
VIEW = (Permission.EMAIL_VIEW,)
MANAGE = (Permission.EMAIL_SUPPRESSION_MANAGE,)
SEND = (Permission.EMAIL_SEND,)


def _thread_url(email: EmailMetadata) -> str:
    """The mailbox page of ``email``'s thread (a message that started one is its own thread)."""
    return reverse("admin:email-thread", kwargs={"thread_id": email.thread_id or email.message_id})


def _moment(created_ms: int | None) -> dt.datetime | None:
    """An email's ``createdAt`` (epoch milliseconds) as the moment the portal's filters show."""
    return clock.from_epoch(created_ms / 1000) if created_ms else None


def _thread_page(cursor: str | None) -> Page:
    """The mailbox lists threads: one page of thread summaries."""
    return selectors.thread_list(limit=25, cursor=cursor)


def _can(request: HttpRequest, permission: Permission) -> bool:
    staff = staff_of(request)
    return staff is not None and staff.has(permission)


@portal_site.register_page(
    section=SECTION, title="Mailbox", route="emails/", name="email-mailbox", permissions=VIEW, order=60
)
def mailbox_page(request: HttpRequest) -> HttpResponse:
    page = cursor_page(request, _thread_page)
    context = {
        "threads": [
            thread_out(summary) | {"status": summary.last.status, "lastAt": _moment(summary.last.created_at)}
            for summary in page.items
        ],
        "can_send": _can(request, Permission.EMAIL_SEND),
        **page.pager,
    }
    return render_page(request, "emails/portal/mailbox.html", context, title="Mailbox")


@portal_site.register_page(
    section=SECTION, title="Compose email", route="emails/compose/", name="email-compose", permissions=SEND, order=61
)
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    form = forms.ComposeForm(request.POST or None, initial={"to": request.GET.get("to", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        message = mailbox.StaffMessage(to=data["to"], cc=tuple(data["cc"]), subject=data["subject"], text=data["text"])
        done = post_action(
            request,
            lambda: mailbox.email_send_staff_message(actor=staff_required(request), message=message),
            success=f"Email to {', '.join(data['to'])} sent.",
            redirect_to=_thread_url,
            form=form,
        )
        if done:
            return done
    return render_page(request, "emails/portal/compose.html", {"form": form}, title="Compose email")


@portal_site.register_page(
    section=SECTION,
    title="Thread",
    route="emails/thread/<str:thread_id>/",
    name="email-thread",
    permissions=VIEW,
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, thread_id: str) -> HttpResponse:
    emails = or_404(selectors.thread_messages(thread_id) or None, "Thread not found")
    form = forms.ReplyForm(request.POST or None)
    if request.method == "POST":
        if not _can(request, Permission.EMAIL_SEND):
            messages.error(request, "You may read but not send email.")
        elif form.is_valid():
            return _reply(request, emails, form.cleaned_data["text"])
    for email in emails:
        if not email.is_read:
            mailbox.email_mark_read(message_id=email.message_id)
    customers = sorted(selectors.participants_of(emails))
    subject = next((e.subject for e in emails if e.subject), "(no subject)")
    authors = {staff.user_email: staff.user_name for staff in staff_get_many({e.sent_by for e in emails if e.sent_by})}
    context = {
        "emails": [
            {"email": e, "at": _moment(e.created_at), "by": authors.get(e.sent_by or "", e.sent_by or "")}
            for e in emails
        ],
        "inquiry_id": next((e.inquiry_id for e in emails if e.inquiry_id), ""),
        "thread_id": thread_id,
        "subject": subject,
        "customers": customers,
        "suppressed": [address for address in customers if selectors.email_is_suppressed(address)],
        "form": form,
        "can_send": _can(request, Permission.EMAIL_SEND),
    }
    return render_page(request, "emails/portal/thread.html", context, title=subject)


def _reply(request: HttpRequest, emails: list, text: str) -> HttpResponse:
    last = emails[-1]
    recipients = sorted(last.to_emails or []) if last.email_type else [last.from_email]
    message = mailbox.StaffMessage(
        to=recipients, subject=last.subject or "", text=text, in_reply_to_message_id=last.message_id
    )
    return post_action(
        request,
        lambda: mailbox.email_send_staff_message(actor=staff_required(request), message=message),
        success="Reply sent.",
        redirect_to=_thread_url(last),
    )


@portal_site.register_page(
    section=SECTION,
    title="Resend email",
    route="emails/message/<str:message_id>/resend/",
    name="email-resend",
    permissions=SEND,
    in_index=False,
)
@require_POST
def resend(request: HttpRequest, message_id: str) -> HttpResponse:
    record = or_404(selectors.email_get(message_id), "Email not found")
    return post_action(
        request,
        lambda: mailbox.email_resend(message_id=message_id, actor=staff_required(request)),
        success="The email was queued again.",
        redirect_to=_thread_url(record),
    )


@portal_site.register_page(
    section=SECTION,
    title="Suppression list",
    route="emails/suppressions/",
    name="email-suppressions",
    permissions=VIEW,
    order=62,
)
@require_http_methods(["GET", "POST"])
def suppressions(request: HttpRequest) -> HttpResponse:
    can_manage = _can(request, Permission.EMAIL_SUPPRESSION_MANAGE)
    form = forms.SuppressionAddForm(request.POST or None)
    if request.method == "POST" and can_manage and form.is_valid():
        data = form.cleaned_data
        done = post_action(
            request,
            lambda: suppression.suppression_add(
                email=data["email"], suppression_type=data["reason"], notes=data["notes"], actor=staff_required(request)
            ),
            success=f"{data['email']} will receive no more transactional email.",
            redirect_to="admin:email-suppressions",
            form=form,
        )
        if done:
            return done
    kind = request.GET.get("type") or None
    page = cursor_page(
        request, lambda cursor: selectors.suppression_list(limit=50, cursor=cursor, suppression_type=kind)
    )
    names = {
        staff.user_email: staff.user_name
        for staff in staff_get_many({e.created_by for e in page.items if e.created_by})
    }
    rows = [{"entry": entry, "by": names.get(entry.created_by or "", entry.created_by or "")} for entry in page.items]
    context = {"rows": rows, "form": form, "can_manage": can_manage, "kind": kind or "", **page.pager}
    return render_page(request, "emails/portal/suppressions.html", context, title="Suppression list")


@portal_site.register_page(
    section=SECTION,
    title="Remove suppression",
    route="emails/suppressions/remove/",
    name="email-suppression-remove",
    permissions=MANAGE,
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def suppression_remove(request: HttpRequest) -> HttpResponse:
    """Confirmation page, then lift one suppression."""
    email = (request.POST.get("email") or request.GET.get("email") or "").strip()
    kind = (request.POST.get("type") or request.GET.get("type") or "").strip()
    entry = selectors.suppression_get(email, kind) if email and kind else None
    if entry is None or entry.status != selectors.ACTIVE:
        raise Http404("Suppression not found")
    if request.method == "POST":
        return post_action(
            request,
            lambda: suppression.suppression_remove(email=email, suppression_type=kind, actor=staff_required(request)),
            success=f"{email} can receive email again.",
            redirect_to="admin:email-suppressions",
        )
    return render_page(
        request, "emails/portal/suppression_remove.html", {"entry": entry}, title=f"Remove suppression of {email}"
    )


@portal_site.register_page(
    section=SECTION,
    title="Email analytics",
    route="emails/analytics/",
    name="email-analytics",
    permissions=VIEW,
    order=63,
)
def analytics(request: HttpRequest) -> HttpResponse:
    form = forms.AnalyticsRangeForm(request.GET or None)
    start, end = form.range()
    daily = selectors.analytics_daily(start, end)
    context = {"form": form, "daily": daily, "chart": chart.line_chart(daily), "start": start, "end": end}
    return render_page(request, "emails/portal/analytics.html", context, title="Email analytics")

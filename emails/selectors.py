"""Reads of email records: suppression, analytics, the mailbox. Always by key or index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parseaddr
from itertools import islice
from typing import Any

from django.conf import settings
from pynamodb.expressions.condition import Condition

from autolab import clock
from autolab.pagination import Page, Partitions, Position, paginate
from emails.models import EmailAnalytics, EmailAnalyticsDaily, EmailMetadata, EmailSuppression, EmailThreadHead

ACTIVE = "active"
# How far back the mailbox walks month partitions when a page is not full yet.
MAILBOX_MONTHS_BACK = 24
THREAD_MAX_MESSAGES = 500


def our_addresses() -> set[str]:
    """The business's own sending and receiving addresses (not customers)."""
    return {normalise_address(parseaddr(settings.DEFAULT_FROM_EMAIL)[1]), normalise_address(settings.BUSINESS_EMAIL)}


def participants_of(emails: list[EmailMetadata]) -> set[str]:
    """Everyone on a set of emails except the business itself."""
    found: set[str] = set()
    for record in emails:
        found |= {record.from_email or "", *(record.to_emails or set()), *(record.cc_emails or set())}
    return found - our_addresses() - {""}


def normalise_address(address: str) -> str:
    """Addresses are stored and compared lower-case and trimmed."""
    return (address or "").strip().lower()


def _is_active(entry: EmailSuppression, now: dt.datetime) -> bool:
    return entry.status == ACTIVE and (entry.ttl is None or entry.ttl > now)


def suppression_list_for(address: str) -> list[EmailSuppression]:
    """Every active suppression entry of ``address`` (any case), one per type."""
    email = normalise_address(address)
    if not email:
        return []
    now = clock.now()
    return [entry for entry in EmailSuppression.query(email) if _is_active(entry, now)]


def email_is_suppressed(address: str) -> bool:
    """Whether transactional mail to ``address`` (any case) must not be sent."""
    return bool(suppression_list_for(address))


def suppression_get(address: str, suppression_type: str) -> EmailSuppression | None:
    return EmailSuppression.get_or_none(normalise_address(address), suppression_type)


def suppression_list(*, limit: int, cursor: str | None, suppression_type: str | None = None) -> Page[EmailSuppression]:
    """Active suppressions, newest first; optionally of one type. Reads the sparse active index;
    an entry whose ttl has passed but which DynamoDB has not deleted yet is skipped."""
    condition = EmailSuppression.suppression_type == suppression_type if suppression_type else None
    now = clock.now()
    return paginate(
        EmailSuppression.active_index,
        ACTIVE,
        limit=limit,
        cursor=cursor,
        keep=lambda entry: _is_active(entry, now),
        filter_condition=condition,
        scan_index_forward=False,
    )


def suppression_expired(now: dt.datetime | None = None) -> Iterator[EmailSuppression]:
    """Entries still listed as active whose ttl has passed (DynamoDB TTL deletes them lazily)."""
    moment = now or clock.now()
    condition = EmailSuppression.ttl <= moment
    yield from EmailSuppression.active_index.query(ACTIVE, filter_condition=condition)


# --- Analytics ---------------------------------------------------------------------------------

ANALYTICS_SERIES = ("sent", "delivered", "bounced", "complained", "suppressed")
# The daily series an analytics event counts in (events of other types are logged, not counted).
SERIES_OF_EVENT = {
    "send": "sent",
    "delivery": "delivered",
    "bounce": "bounced",
    "complaint": "complained",
    "suppressed_send": "suppressed",
}


def analytics_daily(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Counts of each event series per business day from ``start`` to ``end`` inclusive.

    One BatchGetItem of the days' counters (at most 92 days, under its 100 keys); a day without
    events has no counter item and counts zero.
    """
    days = [(start + dt.timedelta(days=offset)).isoformat() for offset in range((end - start).days + 1)]
    counters = {counter.date: counter for counter in EmailAnalyticsDaily.batch_get(days)}
    return [
        {
            "date": day,
            **{series: getattr(counters[day], series) if day in counters else 0 for series in ANALYTICS_SERIES},
        }
        for day in days
    ]


def analytics_for(address: str, limit: int = 50) -> list[EmailAnalytics]:
    """The latest events of one address, newest first."""
    return list(EmailAnalytics.query(normalise_address(address), scan_index_forward=False, limit=limit))


# --- Mailbox -----------------------------------------------------------------------------------


def email_get(message_id: str) -> EmailMetadata | None:
    return EmailMetadata.get_by_id(message_id, longest=200)


def emails_with(address: str, *, limit: int | None = None) -> list[EmailMetadata]:
    """The emails sent to or received from one outside address, newest first (one Query; emails
    restored from before ``contactEmail`` existed get it from ``manage.py emails_backfill``)."""
    wanted = normalise_address(address)
    if not wanted or len(wanted) > 320:
        return []
    return list(EmailMetadata.contact_index.query(wanted, scan_index_forward=False, limit=limit))


def thread_messages(thread_id: str) -> list[EmailMetadata]:
    """Every message of a thread, oldest first."""
    if not thread_id or len(thread_id) > 200:
        return []
    return list(EmailMetadata.thread_index.query(thread_id, limit=THREAD_MAX_MESSAGES))


def month_of(created_at_ms: int) -> str:
    return clock.to_local(clock.from_epoch(created_at_ms / 1000)).strftime("%Y-%m")


def _previous_month(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


@dataclass
class MailboxFilters:
    to_email: str | None = None
    from_email: str | None = None
    is_read: bool | None = None
    has_attachments: bool | None = None
    email_type: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None

    def condition(self) -> Condition | None:
        parts: list[Condition] = []
        if self.to_email:
            parts.append(EmailMetadata.to_emails.contains(normalise_address(self.to_email)))
        if self.from_email:
            parts.append(EmailMetadata.from_email == normalise_address(self.from_email))
        if self.is_read is not None:
            parts.append(EmailMetadata.is_read == self.is_read)
        if self.has_attachments is not None:
            parts.append(EmailMetadata.has_attachments == self.has_attachments)
        if self.email_type:
            parts.append(EmailMetadata.email_type == self.email_type)
        condition: Condition | None = None
        for part in parts:
            condition = part if condition is None else condition & part
        return condition


def _mailbox(filters: MailboxFilters) -> Partitions:
    """The month partitions of the mailbox index, newest first, back ``MAILBOX_MONTHS_BACK``; a
    cursor is good for the created range it was issued for only."""
    month = clock.local_now().strftime("%Y-%m")
    floor = (clock.local_now() - dt.timedelta(days=31 * MAILBOX_MONTHS_BACK)).strftime("%Y-%m")
    months = []
    while month >= floor:
        months.append(month)
        month = _previous_month(month)
    scope = f"{filters.start_ms}..{filters.end_ms}"
    return Partitions(EmailMetadata.mailbox_index, months, scope=scope)


def _created_range(filters: MailboxFilters) -> Condition | None:
    if filters.start_ms is not None and filters.end_ms is not None:
        return EmailMetadata.created_at.between(filters.start_ms, filters.end_ms)
    if filters.start_ms is not None:
        return EmailMetadata.created_at >= filters.start_ms
    if filters.end_ms is not None:
        return EmailMetadata.created_at <= filters.end_ms
    return None


def _mailbox_walk(
    partitions: Partitions, cursor: str | None, filters: MailboxFilters, page_size: int = 100
) -> Iterator[tuple[EmailMetadata, Position]]:
    """Every email newest first across the month partitions, each with the position after it."""
    return partitions.walk(
        cursor,
        page_size=page_size,
        range_key_condition=_created_range(filters),
        filter_condition=filters.condition(),
        scan_index_forward=False,
    )


def mailbox_list(*, limit: int, cursor: str | None, filters: MailboxFilters | None = None) -> Page[EmailMetadata]:
    """Emails newest first across month partitions, with an opaque cursor."""
    filters = filters or MailboxFilters()
    # Without filters a page needs only limit items; filters may drop some, so read more at a time.
    page_size = 100 if filters.condition() is not None else limit + 1
    return _mailbox(filters).page(
        limit=limit,
        cursor=cursor,
        page_size=page_size,
        range_key_condition=_created_range(filters),
        filter_condition=filters.condition(),
        scan_index_forward=False,
    )


@dataclass
class ThreadSummary:
    thread_id: str
    subject: str
    last: EmailMetadata
    participants: set[str]
    message_count: int
    unread_count: int
    is_important: bool


def thread_list(*, limit: int, cursor: str | None, customer_email: str | None = None) -> Page[ThreadSummary]:
    """Threads by latest activity, newest first, from the month index.

    Walking newest first, a thread is listed at its newest (matching) message; an older message of a
    thread already listed, on this page or an earlier one, is recognised and skipped, so the cursor
    is just a position in the month index. A thread's counts come from its head (one BatchGetItem
    per page); a thread without one (from before heads), or a list for one customer, reads its
    messages.
    """
    wanted = normalise_address(customer_email or "")
    summaries: list[ThreadSummary] = []
    next_cursor = None
    filters = MailboxFilters(to_email=wanted or None)
    partitions = _mailbox(filters)
    candidates = _first_per_thread(_mailbox_walk(partitions, cursor, filters))
    with ThreadPoolExecutor(max_workers=8) as pool:
        while len(summaries) < limit and (batch := list(islice(candidates, limit))):
            heads = {} if wanted else {h.thread_id: h for h in EmailThreadHead.batch_get([c[0] for c in batch])}
            headless = [c[0] for c in batch if c[0] not in heads]
            messages_of = dict(zip(headless, pool.map(thread_messages, headless), strict=True))
            for thread_id, item, position in batch:
                if thread_id in heads:
                    summary = _from_head(heads[thread_id], item)
                else:
                    summary = _from_messages(thread_id, item, messages_of[thread_id], wanted)
                if summary is None:
                    continue  # listed already, at a newer message
                summaries.append(summary)
                if len(summaries) >= limit:
                    next_cursor = partitions.cursor_after(position)
                    break
    return Page(summaries, next_cursor)


def _from_messages(
    thread_id: str, item: EmailMetadata, messages: list[EmailMetadata], wanted: str
) -> ThreadSummary | None:
    """The summary from the thread's messages; None when its newest (matching) one is not ``item``."""
    messages = messages or [item]
    matching = [m for m in messages if not wanted or wanted in (m.to_emails or set())]
    if matching and matching[-1].message_id != item.message_id:
        return None
    return _summarise(thread_id, messages)


def _from_head(head: EmailThreadHead, item: EmailMetadata) -> ThreadSummary | None:
    """The summary of a thread whose newest message is ``item``; None when its newest is another."""
    if head.last_message_id != item.message_id:
        return None
    return ThreadSummary(
        thread_id=head.thread_id,
        subject=head.subject or item.subject or "",
        last=item,
        participants=set(head.participants or set()),
        message_count=head.message_count,
        unread_count=head.unread_count,
        is_important=head.important_count > 0,
    )


def _first_per_thread(
    walk: Iterator[tuple[EmailMetadata, Position]],
) -> Iterator[tuple[str, EmailMetadata, Position]]:
    """The newest message of each thread met while walking (older ones are skipped)."""
    decided: set[str] = set()
    for item, position in walk:
        thread_id = item.thread_id or item.message_id
        if thread_id not in decided:
            decided.add(thread_id)
            yield thread_id, item, position


def _summarise(thread_id: str, messages: list[EmailMetadata]) -> ThreadSummary:
    participants: set[str] = set()
    for message in messages:
        participants |= {message.from_email or "", *(message.to_emails or set()), *(message.cc_emails or set())}
    return ThreadSummary(
        thread_id=thread_id,
        subject=next((m.subject for m in messages if m.subject), ""),
        last=messages[-1],
        participants=participants - {""},
        message_count=len(messages),
        unread_count=sum(1 for m in messages if not m.is_read),
        is_important=any(m.is_important for m in messages),
    )


def outbox_pending(state: str, older_than_ms: int, limit: int = 100) -> list[EmailMetadata]:
    """Unfinished sends in ``state`` (queued or sending) created before ``older_than_ms``."""
    condition = EmailMetadata.created_at < older_than_ms
    return list(EmailMetadata.outbox_index.query(state, range_key_condition=condition, limit=limit))

"""Staff search: one index of customers, appointments, orders, invoices and vehicles, kept by the
apps' services as they write (issue #18.4). Never a Scan on a request path.

The ``SearchIndex`` table holds two kinds of item (docs/data-model.md, "search"):

- a **posting** per distinct token of a record: ``bucket`` = the token's first two characters,
  ``term`` = ``<token>|<kind>|<id>``, with the record's label, subtitle and whole token list. A search
  is ONE Query: the bucket of its longest token with ``begins_with(term, token)``, so "1abc" finds
  the rego "1abc234" and "jo" finds "john"; its other tokens are checked on the postings' token
  lists (as substrings, so "1ABC 234" still finds "1ABC234").
- a **document** per record (``bucket`` = ``@<kind>|<id>``, ``term`` = ``@doc``) listing the tokens it
  is indexed under, so an update deletes the postings of the tokens it no longer has (a changed
  phone stops matching the old one). The document and every posting change in ONE transaction,
  conditioned on the document's ``version``: two concurrent updates of a record never leave a
  posting of the loser behind; the loser re-reads and goes again.

Tokens are normalised the same way when written and searched: lower case without accents, words
split on anything not a letter or digit; a phone number is its national digits (``+61 412 345 678``
and ``0412 345 678`` are both ``0412345678``), also indexed without the trunk 0; codes (rego, VIN,
references, invoice numbers) are their letters and digits run together.

Apps declare each kind (``Kind``: its title, the permissions that see it and its portal page) and
call ``index(document)`` after their write is committed, or ``remove``. A failed index write never
fails the request: it is logged and retried by a Celery task that re-reads the record through the
kind's ``load``. ``manage.py search_reindex`` rebuilds the index from every kind's ``everything``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from celery import shared_task
from django.urls import NoReverseMatch, reverse
from pynamodb.attributes import UnicodeAttribute
from pynamodb.transactions import TransactWrite

from autolab import clock
from autolab.dynamodb import (
    BaseMeta,
    DynamoModel,
    IntegerAttribute,
    StringListAttribute,
    retry_on_conflict,
    table_name,
    transaction,
)
from autolab.exceptions import Conflict
from autolab.permissions import Permission, StaffIdentity

logger = logging.getLogger(__name__)

MIN_TOKEN = 2  # a bucket is the first two characters; a one-character token is too broad to index
MAX_TOKEN = 32
MAX_TOKENS = 40  # with the document and the deletes, an update stays inside one 100-item transaction
DOC_TERM = "@doc"
PAGE_SIZE = 100  # postings read per Query page
MAX_PAGES = 2  # a search reads at most this many pages of its bucket
RETRY_DELAY_SECONDS = 5


class SearchEntry(DynamoModel):
    """A posting (token → record) or a record's document (the tokens it is indexed under)."""

    logical_name = "SearchIndex"

    class Meta(BaseMeta):
        table_name = table_name("SearchIndex")

    bucket = UnicodeAttribute(hash_key=True, attr_name="bucket")
    term = UnicodeAttribute(range_key=True, attr_name="term")
    kind = UnicodeAttribute(attr_name="kind")
    record_id = UnicodeAttribute(attr_name="recordId")
    label = UnicodeAttribute(attr_name="label", default="")
    subtitle = UnicodeAttribute(attr_name="subtitle", default="")
    tokens = StringListAttribute(attr_name="tokens", default=list)
    version = IntegerAttribute(attr_name="version", null=True)  # documents only
    updated_at = IntegerAttribute(attr_name="updatedAt", null=True)


# --- Normalising ---------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case without accents: "José" is "jose"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str | None) -> list[str]:
    """The words of ``text``: runs of letters and digits ("j.smith@mail.com" is j, smith, mail, com)."""
    return [word[:MAX_TOKEN] for word in re.findall(r"[^\W_]+", _fold(text or ""))]


def code(text: str | None) -> str:
    """A rego, VIN, reference or number as one token: its letters and digits run together."""
    return "".join(words(text))[:MAX_TOKEN]


def phone_digits(phone: str | None) -> str:
    """The national digits of a phone number: +61 4.. and 61 4.. are 04..."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("61") and len(digits) >= 11:
        return "0" + digits[2:]
    return digits


def phone_tokens(phone: str | None) -> list[str]:
    """A phone as indexed: its national digits, and the same without the trunk 0 (412 345 678)."""
    digits = phone_digits(phone)
    forms = [digits] if digits else []
    if digits.startswith("0") and len(digits) > MIN_TOKEN:
        forms.append(digits[1:])
    return forms


_PHONE_LIKE = re.compile(r"\+?[\d\s().\-]+")


def query_tokens(text: str) -> list[str]:
    """The tokens a search looks for: a phone number (digits and separators only) is one token of its
    national digits; anything else is its words. Tokens shorter than ``MIN_TOKEN`` are dropped when
    longer ones remain (they still narrow the results)."""
    text = (text or "").strip()[:200]
    if _PHONE_LIKE.fullmatch(text) and sum(ch.isdigit() for ch in text) >= MIN_TOKEN:
        return [phone_digits(text)[:MAX_TOKEN]]
    return list(dict.fromkeys(words(text)))[:8]


# --- Documents and kinds -------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """What one record is found by, and how a result shows it."""

    kind: str
    record_id: str
    label: str
    subtitle: str = ""
    texts: tuple[str | None, ...] = ()  # names, emails, makes and models: split into words
    phones: tuple[str | None, ...] = ()
    codes: tuple[str | None, ...] = ()  # regos, VINs, references, numbers: each one token

    def tokens(self) -> list[str]:
        found: list[str] = []
        for text in self.texts:
            found += words(text)
        for phone in self.phones:
            found += phone_tokens(phone)
        found += [code(value) for value in self.codes]
        unique = [token for token in dict.fromkeys(found) if len(token) >= MIN_TOKEN]
        return unique[:MAX_TOKENS]


@dataclass(frozen=True)
class Kind:
    """A kind of record the search finds: its title, who may see it and its portal page."""

    name: str
    title: str
    permissions: tuple[Permission, ...]
    url_name: str  # the portal page of one record, e.g. "admin:bookings-appointment"
    url_kwarg: str  # the page's parameter that takes the record id
    load: Callable[[str], Document | None]  # the record's document now (None: it is gone)
    everything: Callable[[], Iterable[Document]] = field(default=lambda: ())  # for search_reindex only

    def visible_to(self, staff: StaffIdentity) -> bool:
        return any(staff.has(permission) for permission in self.permissions)


_kinds: dict[str, Kind] = {}
_pages: dict[str, tuple[str, str]] = {}  # kind -> (url name, kwarg): a page another app has for it


def register(kind: Kind) -> None:
    """Declare a kind (an app's ``AppConfig.ready``); declaring it again replaces it."""
    _kinds[kind.name] = kind


def link_kind(kind: str, url_name: str, url_kwarg: str) -> None:
    """Open results of ``kind`` on another app's page (billing's customer record, which sees more of
    a customer than chat's own page), whichever app's ``ready`` runs first."""
    _pages[kind] = (url_name, url_kwarg)


def kinds() -> dict[str, Kind]:
    return dict(_kinds)


# --- Writing -------------------------------------------------------------------------------------


def _doc_bucket(kind: str, record_id: str) -> str:
    return f"@{kind}|{record_id}"


def _posting_key(token: str, kind: str, record_id: str) -> tuple[str, str]:
    return token[:MIN_TOKEN], f"{token}|{kind}|{record_id}"


def index(document: Document, *, created: bool = False) -> None:
    """Index ``document`` now (after the record's write is committed). ``created``: the record is
    new, so it has no document yet and nothing is read first. Never raises: a failure is logged and
    retried in the worker from the record as it then stands."""
    try:
        write(document, created=created)
    except Exception:  # the record is stored: its search entry is repaired later, never a 500
        logger.exception(
            "Search index write failed for %s %s; retrying it in the worker", document.kind, document.record_id
        )
        _refresh_later(document.kind, document.record_id)


def remove(kind: str, record_id: str) -> None:
    """Drop a record from the index (it was deleted or anonymised). Never raises, like ``index``."""
    try:
        write(Document(kind=kind, record_id=record_id, label=""), drop=True)
    except Exception:
        logger.exception("Search index removal failed for %s %s; retrying it in the worker", kind, record_id)
        _refresh_later(kind, record_id)


def write(document: Document, *, drop: bool = False, created: bool = False) -> bool:
    """Make the record's postings exactly ``document``'s tokens (none when ``drop``): one consistent
    GetItem of its document (none when ``created``), then, if anything changed, one transaction.
    True when it wrote."""
    busy = Conflict("The search index entry is being changed; try again")
    first = [created]

    def attempt() -> bool:
        fresh, first[0] = first[0], False  # a retry (someone else wrote the document) reads it
        return _write_once(document, drop, fresh=fresh)

    return retry_on_conflict(attempt, attempts=8, or_raise=busy)


def _write_once(document: Document, drop: bool, *, fresh: bool) -> bool:
    kind, record_id = document.kind, document.record_id
    current = None if fresh else SearchEntry.get_or_none(_doc_bucket(kind, record_id), DOC_TERM, consistent_read=True)
    old = list(current.tokens or []) if current is not None else []
    new = [] if drop else document.tokens()
    if current is None and not new:
        return False
    if (
        current is not None
        and not drop
        and (current.tokens, current.label, current.subtitle)
        == (
            new,
            document.label,
            document.subtitle,
        )
    ):
        return False  # idempotent: the same record indexed again writes nothing
    now = clock.epoch_now()
    version = (current.version or 0) if current is not None else 0
    doc = _entry(document, _doc_bucket(kind, record_id), DOC_TERM, new, now)
    doc.version = version + 1
    unchanged = SearchEntry.version == version if current is not None else SearchEntry.bucket.does_not_exist()
    with transaction() as writer:
        if new:
            writer.save(doc, condition=unchanged)
        else:
            writer.delete(doc, condition=unchanged)
        for token in sorted(set(old) - set(new)):
            bucket, term = _posting_key(token, kind, record_id)
            writer.delete(SearchEntry(bucket=bucket, term=term, kind=kind, record_id=record_id))
        for token in new:
            writer.save(_entry(document, *_posting_key(token, kind, record_id), new, now))
    return True


def add_to(writer: TransactWrite, document: Document) -> None:
    """Add a NEW record's index entries to the transaction that creates it, so the record and its
    entries are stored together (no extra call); its document must not exist yet."""
    new = document.tokens()
    if not new:
        return
    now = clock.epoch_now()
    doc = _entry(document, _doc_bucket(document.kind, document.record_id), DOC_TERM, new, now)
    doc.version = 1
    writer.save(doc, condition=SearchEntry.bucket.does_not_exist())
    for token in new:
        writer.save(_entry(document, *_posting_key(token, document.kind, document.record_id), new, now))


def _entry(document: Document, bucket: str, term: str, tokens: list[str], now: int) -> SearchEntry:
    return SearchEntry(
        bucket=bucket,
        term=term,
        kind=document.kind,
        record_id=document.record_id,
        label=document.label,
        subtitle=document.subtitle,
        tokens=tokens,
        updated_at=now,
    )


def reindex(kind_name: str, record_id: str) -> None:
    """``refresh`` that never raises, like ``index`` (a failure is retried in the worker)."""
    try:
        refresh(kind_name, record_id)
    except Exception:
        logger.exception("Search refresh failed for %s %s; retrying it in the worker", kind_name, record_id)
        _refresh_later(kind_name, record_id)


def refresh(kind_name: str, record_id: str) -> None:
    """Index the record as it stands now (its kind's ``load``), or drop it when it is gone."""
    kind = _kinds.get(kind_name)
    if kind is None:
        logger.error("No search kind %s to refresh %s", kind_name, record_id)
        return
    document = kind.load(record_id)
    if document is None:
        write(Document(kind=kind_name, record_id=record_id, label=""), drop=True)
    else:
        write(document)


def _refresh_later(kind: str, record_id: str) -> None:
    try:
        search_refresh_task.apply_async((kind, record_id), countdown=RETRY_DELAY_SECONDS)
    except Exception:  # the broker is down, or (eager tasks in tests) the retry failed at once
        logger.exception("Search refresh of %s %s could not start or failed at once", kind, record_id)


@shared_task(
    name="autolab.search_refresh_task",
    autoretry_for=(Exception,),
    retry_backoff=RETRY_DELAY_SECONDS,
    retry_backoff_max=300,
    max_retries=6,
    acks_late=True,
)
def search_refresh_task(kind: str, record_id: str) -> None:
    refresh(kind, record_id)


def reindex_all(progress: Callable[[str], None] = lambda line: None) -> int:
    """Index every record of every kind (``manage.py search_reindex``; its sources may Scan, which
    is why this runs offline only). Returns how many records were written."""
    written = 0
    for kind in _kinds.values():
        seen = 0
        for document in kind.everything():
            written += write(document)
            seen += 1
            if seen % 100 == 0:
                progress(f"  {kind.name}: {seen}")
        progress(f"{kind.name}: {seen} indexed")
    return written


# --- Searching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    kind: str
    record_id: str
    label: str
    subtitle: str


def _matches(tokens: list[str], others: list[str]) -> bool:
    return all(any(other in token for token in tokens) for other in others)


def _postings(lead: str) -> Iterator[SearchEntry]:
    """The postings whose token starts with ``lead``: one Query (a second page only when the first
    was full and did not give enough)."""
    last_key = None
    for _ in range(MAX_PAGES):
        page = SearchEntry.query(
            lead[:MIN_TOKEN],
            SearchEntry.term.startswith(lead),
            limit=PAGE_SIZE,
            last_evaluated_key=last_key,
        )
        yield from page
        last_key = page.last_evaluated_key
        if last_key is None:
            return


def search(text: str, *, allowed: Callable[[str], bool] = lambda kind: True, limit: int = 20) -> list[Hit]:
    """The records matching every token of ``text`` (of the kinds ``allowed``), at most ``limit``."""
    tokens = query_tokens(text)
    if not tokens or max(len(token) for token in tokens) < MIN_TOKEN:
        return []
    lead = max(tokens, key=len)
    others = [token for token in tokens if token != lead]
    hits: dict[tuple[str, str], Hit] = {}
    for posting in _postings(lead):
        key = (posting.kind, posting.record_id)
        if key in hits or not allowed(posting.kind) or not _matches(list(posting.tokens or []), others):
            continue
        hits[key] = Hit(posting.kind, posting.record_id, posting.label, posting.subtitle)
        if len(hits) >= limit:
            break
    return list(hits.values())


def page_of(hit: Hit) -> str | None:
    """The portal address of a hit's record (None: an id its page cannot take, never a 500)."""
    kind = _kinds.get(hit.kind)
    if kind is None:
        return None
    url_name, url_kwarg = _pages.get(hit.kind, (kind.url_name, kind.url_kwarg))
    try:
        return reverse(url_name, kwargs={url_kwarg: hit.record_id})
    except NoReverseMatch:
        return None


def visible_kinds(staff: StaffIdentity) -> Callable[[str], bool]:
    """Which kinds ``staff`` may find (a kind nobody declared is nobody's)."""
    return lambda name: name in _kinds and _kinds[name].visible_to(staff)

"""The DynamoDB data layer: base model, table naming, the model registry and shared attributes.

Every PynamoDB model in autolab derives from ``DynamoModel`` and declares ``class Meta(BaseMeta)``
with ``table_name = table_name("Appointments")``. The endpoint, region and environment suffix
come from settings, and ``configure()`` re-points every model at runtime (tests, dev launcher).
Selectors read one item with ``get_or_none`` (by key) or ``get_by_id`` (by an id a request named).

Errors are read here too, never by comparing code strings at the call site: ``condition_failed``
(a write refused by its condition), ``conflicted`` (another writer got there first),
``retry_on_conflict`` (re-run an optimistic read-modify-write) and ``is_unavailable`` (an outage: 503).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from pynamodb.attributes import Attribute, ListAttribute, UnicodeAttribute
from pynamodb.connection import Connection, TableConnection
from pynamodb.constants import NUMBER
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.models import MetaProtocol, Model
from pynamodb.transactions import TransactWrite

if TYPE_CHECKING:
    from types_boto3_dynamodb import DynamoDBClient

_registry: dict[str, type[DynamoModel]] = {}

T = TypeVar("T")


def table_name(logical_name: str, env: str | None = None) -> str:
    """The physical table name: ``<Table>-<AUTOLAB_ENV>``, as the seed names its tables."""
    return f"{logical_name}-{env or settings.AUTOLAB_ENV}"


class BaseMeta:
    host = settings.DYNAMODB_ENDPOINT_URL or None
    region = settings.AWS_DEFAULT_REGION
    billing_mode = "PAY_PER_REQUEST"
    connect_timeout_seconds = 5
    read_timeout_seconds = settings.DYNAMODB_READ_TIMEOUT_SECONDS
    # botocore's "standard" retries: throttling (ProvisionedThroughputExceeded, ThrottlingException,
    # RequestLimitExceeded), 5xx, connection errors and read timeouts are retried up to 3 times with
    # jittered exponential backoff (throttling: up to 1, 2, 4 s); then the API answers 503.
    max_retry_attempts = 3
    # daphne's thread pool and the bench's 20 clients share the one client of every table.
    max_pool_connections = 50


class DynamoModel(Model):
    """Base for every autolab table. Subclasses set ``logical_name`` and register themselves."""

    logical_name: str = ""
    # Every concrete table declares ``class Meta(BaseMeta)``; PynamoDB fills in the settings it omits.
    Meta: MetaProtocol

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.logical_name:
            _registry[cls.logical_name] = cls

    @classmethod
    def get_or_none(cls, hash_key: Any, range_key: Any = None, *, consistent_read: bool = False) -> Self | None:
        """The item with this key, or None when there is none."""
        try:
            return cls.get(hash_key, range_key, consistent_read=consistent_read)
        except cls.DoesNotExist:
            return None

    @classmethod
    def get_by_id(cls, item_id: object, *, longest: int = 64, consistent_read: bool = False) -> Self | None:
        """The item whose id a request named, or None; a value that cannot be one of the table's ids
        (empty, not a string, longer than ``longest``) is None without a read."""
        if not item_id or not isinstance(item_id, str) or len(item_id) > longest:
            return None
        return cls.get_or_none(item_id, consistent_read=consistent_read)

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """PynamoDB's table connection, on the one shared botocore client: PynamoDB would build a
        client (and a connection pool) per model, each loading DynamoDB's service description again,
        which is seconds of every process start with 25 tables."""
        table = super()._get_connection()
        shared = connection()
        if table.connection is not shared:
            shared.add_meta_table(table.get_meta_table())
            table.connection = shared
        return table


def registered_models() -> list[type[DynamoModel]]:
    """Every registered table model, in a stable order (by logical table name)."""
    return [_registry[name] for name in sorted(_registry)]


def model_for(logical_name: str) -> type[DynamoModel]:
    return _registry[logical_name]


def configure(
    *, endpoint_url: str | None = None, env: str | None = None, read_timeout_seconds: float | None = None
) -> None:
    """Re-point every model at another endpoint or environment suffix (or read timeout).

    PynamoDB caches a connection per model class, so the cache is dropped too.
    """
    for model in registered_models():
        if endpoint_url is not None:
            model.Meta.host = endpoint_url
        if env is not None:
            model.Meta.table_name = table_name(model.logical_name, env)
        if read_timeout_seconds is not None:
            # PynamoDB's MetaProtocol says int, but the value goes to botocore, which takes a float.
            model.Meta.read_timeout_seconds = read_timeout_seconds  # type: ignore[assignment]
        model._connection = None
    _connection_cache.clear()


_connection_cache: dict[str, Connection] = {}


def connection() -> Connection:
    """A low-level connection to the configured endpoint (for transactions)."""
    meta = registered_models()[0].Meta
    key = f"{meta.host}|{meta.region}"
    if key not in _connection_cache:
        # The same timeouts and retries as the models, so transactions back off and give up alike.
        _connection_cache[key] = Connection(
            region=meta.region,
            host=meta.host,
            connect_timeout_seconds=meta.connect_timeout_seconds,
            read_timeout_seconds=meta.read_timeout_seconds,
            max_retry_attempts=meta.max_retry_attempts,
            max_pool_connections=meta.max_pool_connections,
        )
    return _connection_cache[key]


def botocore_client() -> DynamoDBClient:
    """The connection's botocore client, for calls PynamoDB does not wrap (batch reads, table
    administration, raw scans). PynamoDB types it as a client without DynamoDB's operations."""
    return cast("DynamoDBClient", connection().client)


# Error codes that mean "DynamoDB is overloaded or failing right now", not "this request is wrong".
_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "LimitExceededException",
        "TransactionInProgressException",
    }
)
# The same, as the reason a transaction gives for one of its items.
_TRANSIENT_REASONS = frozenset({"ProvisionedThroughputExceeded", "ThrottlingError"})
CONDITION_FAILED = "ConditionalCheckFailed"
TRANSACTION_CONFLICT = "TransactionConflict"


def error_code(error: BaseException) -> str | None:
    """DynamoDB's error code of a PynamoDB or botocore error (None for anything else)."""
    if isinstance(error, PynamoDBException):
        return error.cause_response_code
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code")
    return None


def cancellation_codes(error: BaseException) -> list[str | None]:
    """Per item of a cancelled transaction, in request order, why it was refused (None: it was not)."""
    if isinstance(error, TransactWriteError):
        return [reason.code if reason is not None else None for reason in error.cancellation_reasons or []]
    if isinstance(error, ClientError):
        reasons = error.response.get("CancellationReasons") or []
        return [None if reason.get("Code") in (None, "None") else reason["Code"] for reason in reasons]
    return []


def failed_conditions(error: BaseException) -> set[int]:
    """Positions of the items of a cancelled transaction whose condition did not hold, in the order
    PynamoDB sends them: condition checks, deletes, puts, then updates."""
    return {at for at, code in enumerate(cancellation_codes(error)) if code == CONDITION_FAILED}


def condition_failed(error: BaseException) -> bool:
    """True when a write was refused by its condition: a put, update or delete whose condition did
    not hold, or a transaction cancelled because one of its items' conditions did not hold."""
    return error_code(error) == f"{CONDITION_FAILED}Exception" or bool(failed_conditions(error))


def conflicted(error: BaseException) -> bool:
    """True when another writer got there first: a failed condition (a version, "not yet paid", ...)
    or a collision with a concurrent transaction. Re-reading and trying again is the answer."""
    if condition_failed(error) or error_code(error) == f"{TRANSACTION_CONFLICT}Exception":
        return True
    return TRANSACTION_CONFLICT in cancellation_codes(error)


def retry_on_conflict(fn: Callable[[], T], *, attempts: int, or_raise: BaseException) -> T:
    """Run an optimistic read-modify-write ``fn`` until it is not ``conflicted()``, at most
    ``attempts`` times, with a short jittered pause between tries so racing writers spread out.

    ``fn`` re-reads what it decides on each time. Any other error passes through; when every
    attempt conflicted, ``or_raise`` is raised (the call site's 409, with its own message).
    """
    last: BaseException | None = None
    for attempt in range(attempts):
        try:
            return fn()
        except (PynamoDBException, ClientError) as error:
            if not conflicted(error):
                raise
            last = error
        if attempt + 1 < attempts:
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    raise or_raise from last


def is_unavailable(error: BaseException) -> bool:
    """True when a data-layer error is an outage (engine unreachable, timed out, throttled after
    botocore's retries), which callers answer with 503; False for errors of the request itself."""
    if not isinstance(error, PynamoDBException):
        return False
    cause = error.cause
    if isinstance(cause, BotoCoreError):  # connection refused or reset, connect or read timeout
        return True
    if isinstance(cause, ClientError):
        status = cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        throttled_items = _TRANSIENT_REASONS.intersection(cancellation_codes(error))
        return error.cause_response_code in _TRANSIENT_CODES or status >= 500 or bool(throttled_items)
    return False


def set_or_remove(attribute: Attribute[str], value: str) -> Action:
    """Set ``value``, or remove the attribute when it is "" (sparse GSI keys are never blank)."""
    return attribute.set(value) if value else attribute.remove()


def transaction(client_request_token: str | None = None) -> TransactWrite:
    """A TransactWrite bound to the configured endpoint; use as a context manager."""
    return TransactWrite(connection=connection(), client_request_token=client_request_token)


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB number read and written as ``Decimal``, so money never passes through float."""

    attr_type = NUMBER

    def serialize(self, value: Decimal | int | str) -> str:
        return str(Decimal(value))

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


class IntegerAttribute(Attribute[int]):
    """A DynamoDB number that always comes back as ``int`` (ids, epoch seconds, counts).

    Written as PynamoDB's ``NumberAttribute`` writes it (JSON); not derived from it because that
    one is typed ``float``.
    """

    attr_type = NUMBER

    def serialize(self, value: int) -> str:
        return json.dumps(value)

    def deserialize(self, value: str) -> int:
        return int(Decimal(value))


class StringListAttribute(ListAttribute[str]):
    """A DynamoDB list of strings, read back as ``list[str]``.

    The same as ``ListAttribute(of=UnicodeAttribute)``, whose ``of`` PynamoDB types as the
    element's Python type, so the list would be typed as a list of attributes.
    """

    element_type = UnicodeAttribute

"""The placeholders an anonymised customer's personal data is replaced with (Australian Privacy
Principle 11.2: de-identify what is no longer needed). One set, so every app writes the same words
and a re-run can tell what is done already."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from autolab.dynamodb import DynamoModel, condition_failed

R = TypeVar("R", bound=DynamoModel)

ANONYMISED_NAME = "Anonymised customer"
ANONYMISED_FIRST_NAME = "Anonymised"
ANONYMISED_LAST_NAME = "customer"
# A reserved top-level domain (RFC 2606): never delivered, never anyone's address.
ANONYMISED_EMAIL = "anonymised@example.invalid"
ANONYMISED_PHONE = "0000 000 000"
REMOVED = "[removed]"


def placeholder_for(value: str | None, placeholder: str) -> str | None:
    """``placeholder`` where there was a value, None where there was none (absent stays absent)."""
    return placeholder if value else value


def placeholder_actions(record: DynamoModel, placeholders: Mapping[str, str]) -> list[Action]:
    """The updates that put ``placeholders`` (attribute name -> placeholder) where ``record`` still
    holds personal data; none when it is anonymised already."""
    model = type(record)
    actions: list[Action] = []
    for name, placeholder in placeholders.items():
        value = getattr(record, name)
        wanted = placeholder_for(value, placeholder)
        if value != wanted:
            actions.append(getattr(model, name).set(wanted))
    return actions


def anonymise_record(
    record: R,
    actions_of: Callable[[R], list[Action]],
    reread: Callable[[R], R | None],
    *,
    label: str,
    attempts: int = 3,
) -> bool:
    """Write ``actions_of(record)``, conditional on the version read; whether anything was written.
    A staff edit landing in between bumps the version: read the record again and redo, ``attempts``
    times."""
    for _ in range(attempts):
        actions = actions_of(record)
        if not actions:
            return False
        try:
            record.update(actions=actions)
            return True
        except UpdateError as error:
            fresh = reread(record) if condition_failed(error) else None
            if fresh is None:
                raise
            record = fresh
    raise RuntimeError(f"{label} kept changing; run the anonymisation again")

"""The placeholders an anonymised customer's personal data is replaced with (Australian Privacy
Principle 11.2: de-identify what is no longer needed). One set, so every app writes the same words
and a re-run can tell what is done already."""

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

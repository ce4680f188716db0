"""autolab.validation: Django's email validator plus the 254-character limit, and the phone rule."""

from __future__ import annotations

import pytest

from autolab.validation import MAX_EMAIL_LENGTH, is_email, is_phone


@pytest.mark.parametrize(
    "address",
    [
        "jane@example.com",
        "Jane.Doe+cars@mail.example.com.au",
        "o'brien@example.com",  # the old regex refused an apostrophe, which is a valid address
        "a@b.co",
        "user@xn--bcher-kva.de",
        "user@bücher.de",  # an IDN domain, checked in its punycode form
        "a" * 64 + "@" + "b" * 63 + ".com",
    ],
)
def test_a_real_address_is_an_email(address: str) -> None:
    assert is_email(address)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not-an-email",
        "no-at-sign.com",
        "bad@",
        "@example.com",
        "a@b",
        "a@b.c",
        "jane@example.com\n",  # the old regex's "$" let a trailing newline through
        ".jane@example.com",  # the old regex allowed dots anywhere in the local part
        "ja..ne@example.com",
        "jane@example..com",
        "jane@-example.com",
        "ja ne@example.com",
        "jane@example.com, bob@example.com",
        None,
        42,
    ],
)
def test_anything_else_is_not(value: object) -> None:
    assert not is_email(value)


def test_an_address_longer_than_an_smtp_path_allows_is_not_an_email() -> None:
    local = "a" * 64
    domain_length = MAX_EMAIL_LENGTH - len(local) - 1
    labels = ["b" * 60] * (domain_length // 61) + ["c" * (domain_length % 61 - 4) + ".com"]
    fits = f"{local}@{'.'.join(labels)}"
    assert len(fits) == MAX_EMAIL_LENGTH
    assert is_email(fits)
    assert not is_email("a" + fits)  # Django alone would allow up to 320


@pytest.mark.parametrize("number", ["0412345678", "+61 412 345 678", "(08) 9123-4567", "+11234567"])
def test_a_phone_number_is_7_to_15_digits_with_an_optional_country_code(number: str) -> None:
    assert is_phone(number)


@pytest.mark.parametrize("number", ["12", "0412 345 678 901 234", "phone", "+61-4123x5678", "61+412345678"])
def test_anything_else_is_not_a_phone_number(number: str) -> None:
    assert not is_phone(number)

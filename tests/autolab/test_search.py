"""The search index (autolab.search): normalising, writing postings, replacing them, racing, reading."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from autolab import search
from autolab.search import Document, SearchEntry
from bench.harness import count_dynamodb_calls
from chat import services as chat_services
from chat.validation import Profile


def _postings(kind: str, record_id: str) -> set[str]:
    """The tokens ``record_id`` has postings under (read back through its document, never a Scan)."""
    doc = SearchEntry.get_or_none(f"@{kind}|{record_id}", "@doc", consistent_read=True)
    tokens = set(doc.tokens) if doc else set()
    found = set()
    for token in tokens:
        term = f"{token}|{kind}|{record_id}"
        if SearchEntry.get_or_none(token[:2], term, consistent_read=True) is not None:
            found.add(token)
    return found


@pytest.fixture
def new_customer():
    return lambda **profile: chat_services.customer_register(**profile).user_id


def _ids(text: str) -> list[str]:
    return [hit.record_id for hit in search.search(text)]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("0412 345 678", ["0412345678"]),
        ("+61 412 345 678", ["0412345678"]),
        ("(08) 9123-4567", ["0891234567"]),
        ("1ABC 234", ["1abc", "234"]),
        ("José  O'Brien", ["jose", "o", "brien"]),
        ("j.smith@Example.com", ["j", "smith", "example", "com"]),
        ("", []),
    ],
)
def test_a_search_is_normalised_as_the_index_is(text, tokens):
    assert search.query_tokens(text) == tokens


def test_a_document_is_indexed_under_words_phone_forms_and_codes():
    document = Document(
        kind="vehicle",
        record_id="x",
        label="",
        texts=("Toyota Corolla",),
        phones=("+61 412 345 678",),
        codes=("1abc-234", "JTDBR32E720123456"),
    )
    assert document.tokens() == ["toyota", "corolla", "0412345678", "412345678", "1abc234", "jtdbr32e720123456"]


def test_a_customer_is_found_by_phone_in_either_form_by_email_and_by_name(new_customer):
    user_id = new_customer(user_name="Priya Raman", user_email="Priya.R@Example.com", contact_number="0412 345 678")
    for text in (
        "0412345678",
        "+61412345678",
        "61 412 345 678",
        "412 345 678",
        "0412 34",
        "priya.r@example.com",
        "ram",
        "Priya Raman",
    ):
        assert _ids(text) == [user_id], text
    assert _ids("priya smith") == []
    hit = search.search("priya")[0]
    assert (hit.kind, hit.label, hit.subtitle) == ("customer", "Priya Raman", "Priya.R@Example.com · 0412 345 678")


def test_an_anonymous_visitor_costs_no_index_write(new_customer):
    with count_dynamodb_calls() as calls:
        new_customer()
    assert calls == Counter({"PutItem": 1})


def test_a_named_customer_is_stored_with_its_entries_in_one_transaction(new_customer):
    with count_dynamodb_calls() as calls:
        user_id = new_customer(user_name="Ann Lee", contact_number="0400111222")
    assert calls == Counter({"TransactWriteItems": 1})
    assert _postings("customer", user_id) == {"ann", "lee", "0400111222", "400111222"}


def test_a_changed_phone_stops_matching_the_old_one(new_customer):
    user_id = new_customer(user_name="Ann Lee", contact_number="0400111222")
    chat_services.customer_update_profile(user_id=user_id, profile=Profile(contact_number="0499888777"))
    assert _ids("0400111222") == []
    assert _ids("0499 888 777") == [user_id]
    assert _postings("customer", user_id) == {"ann", "lee", "0499888777", "499888777"}


def test_indexing_the_same_record_again_writes_nothing(new_customer):
    user_id = new_customer(user_name="Ann Lee")
    document = Document(kind="customer", record_id=user_id, label="Ann Lee", texts=("Ann Lee",))
    with count_dynamodb_calls() as calls:
        assert search.write(document) is False
    assert calls == Counter({"GetItem": 1})


def test_a_search_is_one_query():
    for number in range(30):
        search.write(
            Document(kind="customer", record_id=f"c{number}", label=f"Sam {number}", texts=(f"Sam Tan{number}",))
        )
    with count_dynamodb_calls() as calls:
        hits = search.search("sam tan1")
    assert calls == Counter({"Query": 1})
    assert sorted(hit.record_id for hit in hits) == sorted(["c1"] + [f"c{n}" for n in range(10, 20)])
    assert len(search.search("sam")) == 20  # the limit


def test_a_removed_record_is_found_no_more():
    search.write(Document(kind="customer", record_id="gone", label="Gone", texts=("Gordon",)))
    search.remove("customer", "gone")
    assert _ids("gordon") == []
    assert SearchEntry.get_or_none("@customer|gone", "@doc", consistent_read=True) is None


def test_concurrent_updates_of_one_record_leave_exactly_the_winners_postings():
    record = "racer"
    search.write(Document(kind="customer", record_id=record, label="Start", texts=("start",)))
    phones = [f"04000000{n:02d}" for n in range(6)]
    barrier = threading.Barrier(len(phones))
    errors: list[BaseException] = []

    def update(phone: str) -> None:
        barrier.wait()
        try:
            search.write(Document(kind="customer", record_id=record, label=phone, phones=(phone,)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=update, args=(phone,)) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    doc = SearchEntry.get("@customer|racer", "@doc", consistent_read=True)
    winner = doc.label
    assert set(doc.tokens) == {winner, winner[1:]}
    assert doc.version == 1 + len(phones)
    assert _postings("customer", record) == {winner, winner[1:]}
    for phone in phones:  # only the last writer's phone still matches
        assert _ids(phone) == ([record] if phone == winner else []), phone
    assert _ids("start") == []


def test_search_reindex_indexes_records_stored_before_the_index_and_is_idempotent(new_customer):
    from io import StringIO

    from django.core.management import call_command

    user_id = new_customer(user_name="Old Timer", contact_number="0400999888")
    search.remove("customer", user_id)  # as if stored before the index existed
    assert _ids("0400999888") == []
    output = StringIO()
    call_command("search_reindex", stdout=output)
    assert "customer: 1 indexed" in output.getvalue()
    assert "(1 records written)" in output.getvalue()
    assert _ids("0400 999 888") == [user_id]
    again = StringIO()
    call_command("search_reindex", stdout=again)
    assert "(0 records written)" in again.getvalue()

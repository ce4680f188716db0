"""Support answers an inquiry in place, in a browser, on a desk and on a phone: from the header's
Inquiries badge to the sent reply in 4 steps (before: 11 steps over 3 pages)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail

from chat import inquiries, selectors, services
from emails import selectors as email_selectors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_STEPS = 4
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _data(support, name: str):
    canned = services.canned_reply_create(
        title=f"We service it ({name})",
        text="Yes, we service every make. Book online any weekday.",
        staff=support.identity,
    )
    user_id = services.customer_register(user_name=f"{name} Lee", user_email=f"{name.lower()}@example.com").user_id
    request = inquiries.InquiryRequest(
        first_name=name,
        last_name="Lee",
        email=f"{name.lower()}@example.com",
        message="Do you service Subaru Foresters?",
    )
    return canned, inquiries.inquiry_create(user_id=user_id, inquiry=request)


def test_support_answers_an_inquiry_in_place_on_a_desk_and_on_a_phone(page, portal_login, support):
    """One browser for both viewports (a browser start costs seconds): each run from the badge on."""
    portal_login(support)
    for viewport, name in (("desktop", "Ann"), ("phone", "Pia")):
        page.set_viewport_size(VIEWPORTS[viewport])
        with ThreadPoolExecutor(max_workers=1) as pool:  # off Playwright's loop: the services publish live events
            canned, inquiry = pool.submit(_data, support, name).result()
        page.reload()  # the badge as the page is rendered now (this server has no WebSocket)
        _answer(page, viewport, canned, inquiry)


def _answer(page, viewport, canned, inquiry) -> None:
    address = inquiry.email
    sent_before = len(mail.outbox)
    steps = 0

    page.click(".live-badge[data-category='inquiries']")  # the header badge opens the open inquiries
    steps += 1
    page.click(f"text={inquiry.first_name} Lee")
    steps += 1
    page.wait_for_load_state()  # the page's deferred script listens for the choice once loaded
    assert page.input_value("#id_subject") == "Re: Do you service Subaru Foresters?"
    page.select_option("#id_canned", canned.reply_id)  # fills in the message (the page's script)
    steps += 1
    assert page.input_value("#id_text") == canned.text
    send = page.locator("#reply-send")
    if viewport == "phone":
        assert send.bounding_box()["height"] >= 44
    send.click()
    steps += 1

    page.locator(".messagelist", has_text=f"Reply emailed to {address}; the inquiry is resolved.").wait_for()
    assert steps <= MOST_STEPS, f"{viewport}: {steps} steps"
    assert page.inner_text("#inquiry-status") == "Resolved"
    [message] = mail.outbox[sent_before:]
    assert (message.to, message.subject) == ([address], "Re: Do you service Subaru Foresters?")
    [reply] = selectors.inquiry_get(inquiry.inquiry_id).replies
    assert email_selectors.email_get(reply.message_id).status == "sent"
    page.click("#inquiry-thread")  # the thread, and its way back to the inquiry
    page.locator("#thread-inquiry a").wait_for()
    assert page.locator(".email-message", has_text="Yes, we service every make.").count() == 1

"""A staff member in the portal and a customer's socket exchange messages live, through daphne."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUSTOMER_JS = """
async (origin) => {
  window.events = [];
  const socket = new WebSocket(origin.replace('http', 'ws') + '/ws/');
  window.customerSocket = socket;
  socket.onmessage = (message) => window.events.push(JSON.parse(message.data));
  await new Promise((resolve) => socket.addEventListener('open', resolve));
  socket.send(JSON.stringify({action: 'init', userId: null, userName: 'Ann Customer', userEmail: 'ann@example.com'}));
  for (let i = 0; i < 100 && !window.events.some((e) => e.type === 'connection'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return window.events.find((e) => e.type === 'connection').userId;
}
"""

SEND_JS = """
async ([userId, text]) => {
  const response = await fetch('/api/messages', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({clientId: userId, message: text})});
  return response.status;
}
"""

TYPING_JS = """
async (userId) => (await fetch('/api/messages/notify', {method: 'POST', headers: {'Content-Type': 'application/json'},
  body: JSON.stringify({userId: userId, status: 'TYPING'})})).status
"""


def test_staff_and_customer_chat_live(daphne_server, chromium):
    staff_context = chromium.new_context(viewport={"width": 1280, "height": 900})
    customer_context = chromium.new_context()
    try:
        staff = staff_context.new_page()
        errors: list[str] = []
        staff.on("pageerror", lambda error: errors.append(str(error)))
        staff.set_default_timeout(15_000)
        staff.goto(f"{daphne_server.url}/admin/login/")
        staff.fill("#id_username", daphne_server.email)
        staff.fill("#id_password", daphne_server.password)
        staff.click("input[type=submit]")
        staff.goto(f"{daphne_server.url}/admin/chat/inbox/")
        staff.wait_for_selector("body[data-live-ready='1']")
        assert staff.locator("#live-status.on").count() == 1

        customer = customer_context.new_page()
        customer.goto(f"{daphne_server.url}/api/health")
        user_id = customer.evaluate(CUSTOMER_JS, daphne_server.url)
        assert user_id

        assert customer.evaluate(SEND_JS, [user_id, "Is my car ready?"]) == 200
        row = staff.locator(f"tr[data-client-id='{user_id}']")
        row.locator(".inbox-last", has_text="Is my car ready?").wait_for()
        assert row.locator(".inbox-unread .badge").inner_text() == "1"
        staff.locator(".live-toast", has_text="Is my car ready?").wait_for()

        row.locator("a").click()
        staff.wait_for_selector("body[data-live-ready='1']")
        staff.locator(".chat-bubble", has_text="Is my car ready?").wait_for()
        staff.fill("#chat-message", "Yes, it is ready for pickup.")
        staff.click("#chat-send")
        customer.wait_for_function(
            "() => window.events.some((e) => e.type === 'message' && e.message === 'Yes, it is ready for pickup.')"
        )
        pushed = customer.evaluate("() => window.events.find((e) => e.type === 'message')")
        assert pushed["senderName"] == "Liv Support"
        assert pushed["receiverId"] == user_id
        # Opening the conversation marked the customer's message viewed; the receipt reached the customer.
        customer.wait_for_function("() => window.events.some((e) => e.status === 'MESSAGE_VIEWED')")

        assert customer.evaluate(TYPING_JS, user_id) == 200
        staff.locator("#chat-typing", has_text="typing").wait_for()
        assert customer.evaluate(SEND_JS, [user_id, "Great, see you at 5"]) == 200
        staff.locator(".chat-bubble", has_text="Great, see you at 5").wait_for()
        assert staff.locator(".chat-bubble.staff", has_text="ready for pickup").count() == 1
        assert errors == []
    finally:
        staff_context.close()
        customer_context.close()


def _publish_to_staff(event_type, payload):
    # Playwright's sync API keeps an event loop in this thread; the channel layer needs its own.
    from autolab import events

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(events.publish_to_staff, event_type, payload).result()


FOCUSED_IN = "(selector) => !!(document.activeElement && document.activeElement.closest(selector))"


def _tab_to(staff, selector: str, most: int = 60) -> int:
    """Press Tab until the focus is inside ``selector``; the number of presses."""
    for presses in range(1, most + 1):
        staff.keyboard.press("Tab")
        if staff.evaluate(FOCUSED_IN, selector):
            return presses
    raise AssertionError(f"Tab never reached {selector}")


def test_toasts_and_badges_are_reachable_by_keyboard_and_badges_open_their_queue(daphne_server, chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844})  # a phone
    try:
        staff = context.new_page()
        staff.set_default_timeout(15_000)
        staff.goto(f"{daphne_server.url}/admin/login/")
        staff.fill("#id_username", daphne_server.email)
        staff.fill("#id_password", daphne_server.password)
        staff.click("input[type=submit]")
        staff.wait_for_selector("body[data-live-ready='1']")
        assert staff.get_attribute("#live-toasts", "aria-live") == "polite"

        _publish_to_staff("order.created", {"orderId": "o-1", "customerName": "Bob Buyer", "status": "PENDING"})
        toast = staff.locator(".live-toast", has_text="New order created")
        toast.wait_for()
        assert "Bob Buyer · Pending" in toast.inner_text()
        assert staff.locator(".live-badge[data-category='orders']").count() == 0  # events are not counted in the page

        staff.locator("#content").click(position={"x": 1, "y": 1})  # start from the page's content
        _tab_to(staff, ".live-toast")
        assert staff.evaluate("() => document.activeElement.className") == "live-toast-close"
        staff.keyboard.press("Escape")
        assert toast.count() == 0

        staff.evaluate("() => document.activeElement.blur()")
        _tab_to(staff, ".live-badge[data-category='inquiries']")
        staff.keyboard.press("Enter")
        staff.wait_for_url("**/admin/chat/inquiries/?status=OPEN")
        badge = staff.locator(".live-badge[data-category='inquiries']")
        assert badge.get_attribute("aria-label") == "Inquiries: 0 open inquiries"  # still there: not cleared
    finally:
        context.close()

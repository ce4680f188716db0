"""Generated reports join the appointment's reports once, and the "reports awaiting review" queue
(a sparse GSI) holds exactly the appointments with an uploaded report nobody has reviewed."""

from __future__ import annotations

import threading
from urllib.parse import urlparse

import pytest

from autolab import storage
from autolab.exceptions import Conflict, NotFound, ValidationError
from bookings import dashboard_reads, selectors, services, updates
from bookings.models import Appointment
from bookings.types import AppointmentChanges, ReportReview
from tests.bookings.conftest import future_day
from tests.bookings.test_reports import pdf_bytes, put, upload_link


@pytest.fixture
def capacity_three(capacity):
    capacity(3)


@pytest.fixture
def completed(book, support, mechanic):
    """Completed jobs of ``mechanic``, each in a slot of its own."""
    starts = iter(["08:00", "11:00", "14:00", "17:00"])

    def make() -> str:
        appointment_id = book()
        start = next(starts)
        slot = {"date": future_day(), "start": start, "end": f"{int(start[:2]) + 2:02d}:00"}
        scheduled = support.api().patch(
            f"/api/appointments/{appointment_id}",
            {"scheduledTimeSlot": slot, "assignedMechanicId": mechanic.user_id},
            format="json",
        )
        assert scheduled.status_code == 200, scheduled.json()
        done = mechanic.api().patch(f"/api/appointments/{appointment_id}", {"status": "COMPLETED"}, format="json")
        assert done.status_code == 200, done.json()
        return appointment_id

    return make


def generated(appointment_id: str, name: str = "inspection-1.pdf") -> str:
    """A PDF stored as the worker stores it, and its key."""
    key = f"reports/{appointment_id}/{name}"
    storage.save(key, pdf_bytes(f"Generated {name}"), "application/pdf")
    return key


def add(appointment_id: str, key: str, by: str = "mech") -> bool:
    return services.report_generated_add(
        appointment_id=appointment_id, key=key, file_name=key.rsplit("/", 1)[1], file_size=1234, generated_by=by
    )


def queue() -> list[str]:
    return [appointment.appointment_id for appointment in selectors.reports_awaiting_review().items]


def review(admin, appointment_id: str, key: str, action: str = "approve"):
    body = {"reportApproval": {"reportS3Key": key, "action": action}}
    return admin.api().patch(f"/api/appointments/{appointment_id}", body, format="json")


def test_a_generated_report_is_listed_once_as_uploaded_and_unreviewed(
    completed, book, support, mechanic, capacity_three
):
    appointment_id = completed()
    key = generated(appointment_id)

    assert add(appointment_id, key, mechanic.user_id) is True
    assert add(appointment_id, key, mechanic.user_id) is False  # a retry

    reports = Appointment.get(appointment_id).reports
    assert len(reports) == 1
    report = reports[0]
    assert (report["s3Key"], report["fileName"], report["fileType"], report["status"], report["reviewed"]) == (
        key,
        "inspection-1.pdf",
        "application/pdf",
        "uploaded",
        False,
    )
    assert report["uploadedBy"] == mechanic.user_id
    assert queue() == [appointment_id]


def test_racing_workers_list_a_generated_report_once(completed, book, support, mechanic, capacity_three):
    appointment_id = completed()
    key = generated(appointment_id)
    upload_link(mechanic, appointment_id)  # another report already listed, pending
    start = threading.Barrier(6)
    results: list[bool] = []

    def worker() -> None:
        start.wait()
        results.append(add(appointment_id, key))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 5 + [True]
    keys = [report["s3Key"] for report in Appointment.get(appointment_id).reports]
    assert keys.count(key) == 1
    assert len(keys) == 2


def test_a_generated_report_must_be_a_pdf_of_that_appointment(completed, book, support, mechanic, capacity_three):
    appointment_id = completed()
    other = completed()

    with pytest.raises(ValidationError):
        add(appointment_id, generated(other))
    with pytest.raises(ValidationError):
        add(appointment_id, f"reports/{appointment_id}/notes.txt")
    with pytest.raises(NotFound):
        add("nope", "reports/nope/inspection-1.pdf")
    assert Appointment.get(appointment_id).reports == []


def test_the_queue_holds_uploaded_unreviewed_reports_oldest_first(
    completed, anon, book, support, mechanic, admin, capacity_three
):
    first, second, third = (completed() for _ in range(3))
    link = upload_link(mechanic, second).json()
    assert queue() == []  # a link alone is not a report to review

    assert put(anon, link["uploadUrl"], pdf_bytes()).status_code == 201  # the upload claim
    add(first, generated(first))
    services.report_attach(actor=mechanic.identity, appointment_id=third, file_name="Photo notes.pdf", data=pdf_bytes())

    assert queue() == [second, first, third]
    page = selectors.reports_awaiting_review(limit=2)
    assert [a.appointment_id for a in page.items] == [second, first]
    rest = selectors.reports_awaiting_review(limit=2, cursor=page.next_cursor)
    assert ([a.appointment_id for a in rest.items], rest.next_cursor) == ([third], None)


def test_the_last_review_takes_the_appointment_off_the_queue(
    completed, anon, book, support, mechanic, admin, capacity_three
):
    appointment_id = completed()
    link = upload_link(mechanic, appointment_id).json()
    put(anon, link["uploadUrl"], pdf_bytes())
    key = generated(appointment_id)
    add(appointment_id, key)
    since = Appointment.get(appointment_id).review_since_ms

    assert review(admin, appointment_id, key).status_code == 200
    assert queue() == [appointment_id]  # the upload still waits, in its place
    assert Appointment.get(appointment_id).review_since_ms == since

    assert review(admin, appointment_id, link["s3Key"], "reject").status_code == 200
    assert queue() == []
    stored = Appointment.get(appointment_id)
    assert (stored.review_queue, stored.review_since_ms) == (None, None)

    again = generated(appointment_id, "inspection-2.pdf")  # a reopened inspection's next report
    add(appointment_id, again)
    assert queue() == [appointment_id]


def test_a_staff_edit_that_drops_the_waiting_report_takes_it_off_the_queue(
    completed, anon, book, support, mechanic, capacity_three
):
    appointment_id = completed()
    kept = upload_link(mechanic, appointment_id, fileName="kept.pdf").json()  # pending, never uploaded
    key = generated(appointment_id)
    add(appointment_id, key)
    edit = [{"s3Key": kept["s3Key"], "fileName": "kept.pdf", "uploadedBy": mechanic.user_id}]

    response = mechanic.api().patch(f"/api/appointments/{appointment_id}", {"reports": edit}, format="json")

    assert response.status_code == 200, response.json()
    assert queue() == []


def test_a_review_racing_a_generated_report_never_loses_the_new_one(
    completed, anon, book, support, mechanic, admin, capacity_three
):
    appointment_id = completed()
    link = upload_link(mechanic, appointment_id).json()
    put(anon, link["uploadUrl"], pdf_bytes())
    key = generated(appointment_id)
    start = threading.Barrier(2)
    statuses: list[int] = []

    def reviewer() -> None:
        approval = ReportReview(key=link["s3Key"], action="approve")
        changes = AppointmentChanges(given=frozenset({"report_review"}), report_review=approval)
        start.wait()
        try:
            updates.appointment_update(actor=admin.identity, appointment_id=appointment_id, changes=changes)
        except Conflict:
            statuses.append(409)
        else:
            statuses.append(200)

    def worker() -> None:
        start.wait()
        add(appointment_id, key)

    threads = [threading.Thread(target=reviewer), threading.Thread(target=worker)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = Appointment.get(appointment_id)
    reports = {report["s3Key"]: report for report in stored.reports}
    assert set(reports) == {link["s3Key"], key}
    assert reports[key]["reviewed"] is False
    assert statuses[0] in (200, 409)  # a review read before the worker's write is refused, not applied over it
    assert reports[link["s3Key"]]["reviewed"] is (statuses[0] == 200)
    assert queue() == [appointment_id]


def test_the_customer_and_staff_apis_do_not_show_the_queue_bookkeeping(
    completed, anon, book, support, mechanic, admin, customer_id, capacity_three
):
    appointment_id = completed()
    key = generated(appointment_id)
    add(appointment_id, key)

    staff = support.api().get(f"/api/appointments/{appointment_id}").json()["appointment"]
    assert not {"reviewQueue", "reviewSinceMs", "generatedReports"} & set(staff)
    assert [r["s3Key"] for r in staff["reports"]] == [key]
    assert anon.get(f"/api/appointments/{appointment_id}?userId={customer_id}").json()["appointment"]["reports"] == []

    assert review(admin, appointment_id, key).status_code == 200
    customer = anon.get(f"/api/appointments/{appointment_id}?userId={customer_id}").json()["appointment"]
    assert not {"reviewQueue", "reviewSinceMs", "generatedReports"} & set(customer)
    (report,) = customer["reports"]
    downloaded = anon.get(urlparse(report["fileUrl"]).path)
    assert downloaded.status_code == 200
    body = b"".join(downloaded.streaming_content) if downloaded.streaming else downloaded.content
    assert body == storage.read(key)


def test_the_dashboard_panel_reads_the_same_queue_and_says_when_more_wait(completed, anon, mechanic, capacity_three):
    first, second = completed(), completed()
    add(first, generated(first, "first.pdf"))
    add(second, generated(second, "second.pdf"))
    add(first, generated(first, "first-again.pdf"))

    whole = dashboard_reads.reports_awaiting_review()
    # Oldest upload first; uploads stamped in the same second may come either way.
    assert sorted((r.appointment.appointment_id, r.file_name) for r in whole.reports) == sorted(
        [(first, "first.pdf"), (second, "second.pdf"), (first, "first-again.pdf")]
    )
    assert whole.more is False
    head = dashboard_reads.reports_awaiting_review(limit=1)  # the appointment waiting longest
    assert (sorted(r.file_name for r in head.reports), head.more) == (["first-again.pdf", "first.pdf"], True)

"""Two devices of one mechanic (a phone and a tablet) editing the same inspection at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from inspections.models import Inspection, InspectionItem
from tests.inspections.conftest import jpeg
from tests.inspections.test_inspection_api import photo, url

pytestmark = pytest.mark.django_db(transaction=True)


def race(calls):
    """Run the calls at the same moment (a barrier), each in its own thread; their responses."""
    barrier = threading.Barrier(len(calls))

    def fire(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(fire, calls))


def test_two_devices_saving_one_item_one_wins_the_other_gets_the_stored_item(job, mechanic) -> None:
    mechanic.api().post(url(job))
    version = 0
    for round_number in range(5):  # five races in a row, each from the version both devices saw
        bodies = [
            {"templateVersion": 1, "version": version, "rating": "pass", "text": f"phone {round_number}"},
            {"templateVersion": 1, "version": version, "rating": "fail", "text": f"tablet {round_number}"},
        ]
        devices = [mechanic.api(), mechanic.api()]
        responses = race(
            [
                lambda d=device, b=body: d.put(url(job, "/items/body-05"), b, format="json")
                for device, body in zip(devices, bodies, strict=True)
            ]
        )
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200, 409], [r.json() for r in responses]
        winner = next(r for r in responses if r.status_code == 200).json()["item"]
        loser = next(r for r in responses if r.status_code == 409).json()
        assert loser["item"] == winner  # the stored item, shown beside the loser's own change
        assert "Another device" in loser["message"]
        stored = InspectionItem.get(job, "body-05")
        assert (stored.text, stored.version) == (winner["text"], version + 1)
        version += 1
    # The loser re-saves on top of what it was shown: nothing is lost, and it lands.
    retry = mechanic.api().put(
        url(job, "/items/body-05"), {"templateVersion": 1, "version": version, "rating": "attention"}, format="json"
    )
    assert retry.status_code == 200
    assert Inspection.get(job).item_writes == 6


def test_two_devices_saving_different_items_both_land(job, mechanic) -> None:
    mechanic.api().post(url(job))
    items = ["body-03", "body-04", "body-05", "body-06"]
    responses = race(
        [
            lambda i=item: mechanic.api().put(
                url(job, f"/items/{i}"), {"templateVersion": 1, "version": 0, "rating": "pass"}, format="json"
            )
            for item in items
        ]
    )
    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert Inspection.get(job).item_writes == 4


def test_the_same_photo_sent_twice_at_once_is_stored_once(job, mechanic) -> None:
    mechanic.api().post(url(job))
    data = jpeg(800, 600)
    responses = race([lambda: photo(mechanic.api(), job, "body-01", "same-shot", data) for _ in range(3)])
    assert sorted(r.status_code for r in responses) == [200, 200, 201]
    assert [p.photo_id for p in InspectionItem.get(job, "body-01").photos] == ["same-shot"]


def test_eleven_photos_at_once_store_ten(job, mechanic) -> None:
    mechanic.api().post(url(job))
    data = jpeg(120, 90)
    responses = race([lambda n=n: photo(mechanic.api(), job, "body-02", f"burst-{n}", data) for n in range(11)])
    assert sorted(r.status_code for r in responses) == [201] * 10 + [400]
    refused = next(r for r in responses if r.status_code == 400).json()
    assert refused["message"] == "An item has at most 10 photos"
    assert len(InspectionItem.get(job, "body-02").photos) == 10


def test_a_header_edit_racing_submit_never_both_land(job, mechanic, checklist) -> None:
    from tests.inspections.test_filling import answer_everything

    client = mechanic.api()
    client.post(url(job))
    answer_everything(mechanic, job, checklist)
    client.patch(url(job), {"version": 1, "verdict": "recommended", "summary": "Good car"}, format="json")
    responses = race(
        [
            lambda: mechanic.api().post(url(job, "/submit"), {"version": 2}, format="json"),
            lambda: mechanic.api().patch(url(job), {"version": 2, "summary": "Changed my mind"}, format="json"),
        ]
    )
    statuses = [r.status_code for r in responses]
    assert sorted(statuses) in ([200, 409], [202, 409]), [r.json() for r in responses]
    stored = Inspection.get(job)
    if statuses[0] == 202:  # submitted first; tests run the render task eagerly, so its PDF is listed already
        assert (stored.status, stored.summary) == ("reported", "Good car")
    else:
        assert (stored.status, stored.summary) == ("in_progress", "Changed my mind")

from __future__ import annotations

import io

import pytest
from PIL import Image

from autolab import storage
from autolab.exceptions import ValidationError
from inspections import services
from inspections.models import InspectionItem
from tests.inspections.conftest import jpeg

ITEM = "body-01"  # "Front of the vehicle (photo)"


@pytest.fixture
def started(job, mechanic) -> str:
    services.inspection_start(actor=mechanic.identity, appointment_id=job)
    return job


def add(persona, appointment_id, photo_id, data, item_id=ITEM):
    return services.photo_add(
        actor=persona.identity, appointment_id=appointment_id, item_id=item_id, photo_id=photo_id, data=data
    )


def test_a_photo_is_resized_turned_upright_and_stripped_of_exif_and_gps(started, mechanic) -> None:
    original = jpeg(3000, 2000, orientation=6, gps=True)  # 6: the camera was turned 90° clockwise
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825) is not None
    added = add(mechanic, started, "front-1", original)
    assert added.created is True
    stored = Image.open(io.BytesIO(storage.read(added.photo.key)))
    assert stored.format == "JPEG"
    assert stored.size == (1067, 1600)  # upright: portrait, longest side 1600
    assert (added.photo.width, added.photo.height) == stored.size
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info
    thumb = Image.open(io.BytesIO(storage.read(added.photo.thumb_key)))
    assert max(thumb.size) == 400
    assert thumb.size == (267, 400)
    assert added.photo.key.startswith(f"inspections/{started}/{ITEM}/front-1-")


def test_a_small_png_is_stored_as_jpeg_without_upscaling(started, mechanic) -> None:
    out = io.BytesIO()
    Image.new("RGBA", (320, 200), (0, 128, 0, 128)).save(out, format="PNG")
    added = add(mechanic, started, "png-1", out.getvalue())
    assert (added.photo.width, added.photo.height) == (320, 200)
    assert storage.read(added.photo.key).startswith(b"\xff\xd8\xff")


def test_a_retried_photo_id_is_stored_once(started, mechanic) -> None:
    data = jpeg(800, 600)
    first = add(mechanic, started, "retry-1", data)
    again = add(mechanic, started, "retry-1", data)
    assert (first.created, again.created) == (True, False)
    assert again.photo.key == first.photo.key
    item = InspectionItem.get(started, ITEM)
    assert [photo.photo_id for photo in item.photos] == ["retry-1"]
    assert item.photo_ids == {"retry-1"}


def test_the_eleventh_photo_is_refused(started, mechanic) -> None:
    data = jpeg(120, 90)
    for number in range(10):
        add(mechanic, started, f"p{number}", data)
    with pytest.raises(ValidationError, match="at most 10 photos"):
        add(mechanic, started, "p10", data)
    assert len(InspectionItem.get(started, ITEM).photos) == 10


def test_deleting_a_photo_keeps_the_others_in_order(started, mechanic) -> None:
    data = jpeg(120, 90)
    for photo_id in ("a", "b", "c"):
        add(mechanic, started, photo_id, data)
    item = services.photo_delete(actor=mechanic.identity, appointment_id=started, item_id=ITEM, photo_id="b")
    assert [photo.photo_id for photo in item.photos] == ["a", "c"]
    assert item.photo_ids == {"a", "c"}
    with pytest.raises(services.NotFound):
        services.photo_delete(actor=mechanic.identity, appointment_id=started, item_id=ITEM, photo_id="b")
    assert add(mechanic, started, "b", data).created is True  # the id is free again


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.4 not a photo", "not a JPEG or PNG"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "not a JPEG or PNG"),
    ],
)
def test_what_is_not_a_photo_is_refused(started, mechanic, data, message) -> None:
    with pytest.raises(ValidationError, match=message):
        add(mechanic, started, "bad-1", data)
    assert InspectionItem.get_or_none(started, ITEM) is None


def test_a_gif_is_refused_and_a_bad_photo_id_too(started, mechanic) -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(ValidationError, match="Only JPEG and PNG"):
        add(mechanic, started, "gif-1", out.getvalue())
    with pytest.raises(ValidationError, match="photoId"):
        add(mechanic, started, "../etc", jpeg(10, 10))

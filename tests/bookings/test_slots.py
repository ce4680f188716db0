import pytest

from bookings.slots import Interval, candidates, max_jobs, merge, subtract


def iv(text: str) -> Interval:
    return Interval.parse_range(text)


def test_half_open_intervals_do_not_overlap_when_touching():
    assert not iv("09:00-10:00").overlaps(iv("10:00-11:00"))
    assert iv("09:00-10:01").overlaps(iv("10:00-11:00"))


def test_merge_joins_overlapping_and_touching():
    assert [i.label for i in merge([iv("10:00-11:00"), iv("09:00-10:00"), iv("13:00-14:00"), iv("13:30-15:00")])] == [
        "09:00-11:00",
        "13:00-15:00",
    ]


def test_subtract_splits_partial_overlap():
    assert [i.label for i in subtract([iv("09:00-11:00")], [iv("09:30-10:00")])] == ["09:00-09:30", "10:00-11:00"]
    assert subtract([iv("09:00-11:00")], [iv("08:00-12:00")]) == []


@pytest.mark.parametrize(
    "text", ["9:00-10:00", "09:00", "10:00-09:00", "09:00-09:00", "25:00-26:00", "ab-cd", "09:60-10:00"]
)
def test_bad_ranges_are_refused(text):
    with pytest.raises(ValueError, match="Invalid"):
        iv(text)


def test_candidates_start_every_30_minutes_and_end_by_20():
    slots = candidates(120)
    assert slots[0].label == "08:00-10:00"
    assert slots[-1].label == "18:00-20:00"
    assert len(slots) == 21


def test_buckets_of_an_interval():
    assert iv("09:00-10:00").buckets() == ["0900", "0930"]
    assert iv("09:15-10:00").buckets() == ["0900", "0930"]


def test_max_jobs_counts_back_to_back_fits():
    assert max_jobs(120, [iv("08:00-20:00")]) == 6
    assert max_jobs(180, [iv("08:00-12:00"), iv("13:00-20:00")]) == 3

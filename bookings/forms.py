"""Portal forms of the bookings pages (validation of shapes; rules live in services)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms

from autolab.workflow import PAYMENT_FILTER_STATUSES
from bookings.models import AppointmentStatus, ServicePrice

HALF_HOURS = [(f"{m // 60:02d}:{m % 60:02d}", f"{m // 60:02d}:{m % 60:02d}") for m in range(8 * 60, 20 * 60 + 1, 30)]


SORT_CHOICES = [
    ("upcoming", "Upcoming first (from today)"),
    ("earliest", "Earliest date first"),
    ("latest", "Latest date first"),
]


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _people_label(value: str) -> str:
    return value.replace("_", " ").capitalize()


class AppointmentFilterForm(forms.Form):
    """The appointment list's search, filters (by name: service, mechanic) and sort."""

    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, email, phone or reference"}),
    )
    status = forms.ChoiceField(
        choices=[("", "Any status")] + [(s.value, _people_label(s.value)) for s in AppointmentStatus], required=False
    )
    payment_status = forms.ChoiceField(
        choices=[("", "Any payment")] + [(s.value, _people_label(s.value)) for s in PAYMENT_FILTER_STATUSES],
        required=False,
        label="Payment",
    )
    service = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, choices=[])
    mechanic = forms.ChoiceField(required=False, choices=[])
    date_from = forms.DateField(required=False, label="Date from", widget=_date_input())
    date_to = forms.DateField(required=False, label="Date to", widget=_date_input())
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, label="Sort by date")

    def __init__(
        self,
        *args: Any,
        services: Sequence[tuple[int, str]] = (),
        mechanics: Sequence[Mapping[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service"]).choices = [("", "Any service")] + [
            (str(service_id), name) for service_id, name in services
        ]
        if mechanics is None:  # a mechanic sees only their own jobs: no mechanic filter
            del self.fields["mechanic"]
        else:
            cast(forms.ChoiceField, self.fields["mechanic"]).choices = [("", "Any mechanic")] + [
                (m["userId"], m["userName"]) for m in mechanics
            ]


def day_input() -> forms.DateInput:
    """A date picker; its value must be ``YYYY-MM-DD`` (a localised format leaves it empty)."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


# A suggested slot's button value: date|start|end|mechanicId (the mechanic may be empty).
SLOT_CHOICE = re.compile(r"^(\d{4}-\d{2}-\d{2})\|(\d{2}:\d{2})\|(\d{2}:\d{2})\|([\w-]{0,64})$")


class ScheduleForm(forms.Form):
    """Date, start and mechanic; the end is worked out from the plan unless chosen. A suggested
    slot (``slot``, from the nearest-free-slot buttons) replaces all four."""

    date = forms.DateField(widget=day_input())
    start = forms.ChoiceField(choices=HALF_HOURS[:-1])
    end = forms.ChoiceField(choices=[("", "From the plan"), *HALF_HOURS[1:]], required=False)
    mechanic = forms.ChoiceField(required=False, choices=[])
    version = forms.IntegerField(widget=forms.HiddenInput)
    slot = forms.RegexField(regex=SLOT_CHOICE, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, mechanics: Sequence[Mapping[str, str]] = (), **kwargs: Any) -> None:
        if args and args[0] is not None and SLOT_CHOICE.match(str(args[0].get("slot") or "")):
            args = (_with_slot(args[0]), *args[1:])
        super().__init__(*args, **kwargs)
        mechanic = cast(forms.ChoiceField, self.fields["mechanic"])
        mechanic.choices = [("", "No mechanic yet")] + [(m["userId"], m["userName"]) for m in mechanics]


def _with_slot(data: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted fields with a suggested slot's date, start, end and mechanic in place."""
    date, start, end, mechanic = cast(re.Match, SLOT_CHOICE.match(str(data.get("slot")))).groups()
    plain = {key: data.get(key) for key in ("date", "start", "end", "mechanic", "version", "slot")}
    return {**plain, "date": date, "start": start, "end": end, "mechanic": mechanic}


class OnMyWayForm(forms.Form):
    """The mechanic's "on my way" text: the ETA, and the one-off token of this rendering of the form."""

    eta_minutes = forms.IntegerField(min_value=1, max_value=240, initial=20, label="Arriving in (minutes)")
    click = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)


class NotesForm(forms.Form):
    post_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, required=False, label="Post-inspection notes"
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class VehicleForm(forms.Form):
    """The car's registration and VIN (bookings.vehicles normalises and checks them)."""

    registration = forms.CharField(max_length=12, required=False, label="Registration (rego)")
    vin = forms.CharField(max_length=24, required=False, label="VIN")


class VehicleNotesForm(forms.Form):
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False, label="Notes about this vehicle"
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.value) for s in AppointmentStatus])
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    key = forms.CharField(max_length=1000)
    action = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    notes = forms.CharField(max_length=1000, required=False)


# What the upload offers and accepts by name; the service checks the file's bytes (services.REPORT_FILE_TYPES).
REPORT_ACCEPT = ".pdf,image/jpeg,image/png"
REPORT_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
REPORT_REFUSED = "Choose a PDF file or a JPEG or PNG photo, at most 10 MB."


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label="Report or photo (PDF, JPEG or PNG, at most 10 MB)",
        widget=forms.ClearableFileInput(attrs={"accept": REPORT_ACCEPT}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not str(upload.name).lower().endswith(REPORT_EXTENSIONS):
            raise forms.ValidationError(REPORT_REFUSED)
        return upload


class BlockForm(forms.Form):
    start_date = forms.DateField(label="From", widget=day_input())
    end_date = forms.DateField(label="To (optional)", required=False, widget=day_input())
    start = forms.ChoiceField(choices=HALF_HOURS, initial="12:00")
    end = forms.ChoiceField(choices=HALF_HOURS, initial="13:00")
    action = forms.ChoiceField(choices=[("add", "Block"), ("remove", "Unblock")])
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class AnalyserForm(forms.Form):
    date = forms.DateField(widget=day_input())
    plan = forms.ChoiceField(choices=[])

    def __init__(self, *args: Any, plans: Sequence[ServicePrice] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["plan"]).choices = [
            (f"{p.service_id}:{p.plan_id}", f"{p.service_name}: {p.plan_name} ({p.duration_minutes} min)")
            for p in plans
        ]


class PlanForm(forms.Form):
    service_id = forms.IntegerField(min_value=1, max_value=10_000, label="Service id")
    plan_id = forms.IntegerField(min_value=1, max_value=10_000, label="Plan id")
    service_name = forms.CharField(max_length=100)
    plan_name = forms.CharField(max_length=100)
    price = forms.DecimalField(min_value=1, max_digits=8, decimal_places=2, label="Price (AUD, incl. GST)")
    duration_minutes = forms.IntegerField(min_value=30, max_value=720, label="Duration (minutes)")
    features = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="One per line", max_length=3000
    )
    active = forms.BooleanField(required=False)

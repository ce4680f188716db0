"""Portal forms of the Email section (validation only; the services apply the rules)."""

from __future__ import annotations

import datetime as dt

from django import forms

from autolab import clock
from emails.suppression import MANUAL_TYPES


def _address_list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class ComposeForm(forms.Form):
    to = forms.CharField(max_length=1000, help_text="One or more addresses, separated by commas.")
    cc = forms.CharField(max_length=1000, required=False)
    subject = forms.CharField(max_length=200)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), max_length=50_000, label="Message")

    def clean_to(self) -> list[str]:
        addresses = _address_list(self.cleaned_data["to"])
        if not addresses:
            raise forms.ValidationError("Enter at least one address.")
        return addresses

    def clean_cc(self) -> list[str]:
        return _address_list(self.cleaned_data.get("cc") or "")


class ReplyForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=50_000, label="Reply")


class SuppressionAddForm(forms.Form):
    email = forms.EmailField(max_length=254)
    reason = forms.ChoiceField(choices=[(value, value.title()) for value in MANUAL_TYPES], initial="manual")
    notes = forms.CharField(max_length=500, required=False)


class AnalyticsRangeForm(forms.Form):
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def range(self) -> tuple[dt.date, dt.date]:
        """The chosen days (default: the last 30), at most 92."""
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end_date") or clock.business_today()
        start = data.get("start_date") or end - dt.timedelta(days=29)
        if start > end:
            start, end = end, start
        return max(start, end - dt.timedelta(days=91)), end

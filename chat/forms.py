"""Portal forms of the Customers & chat section."""

from __future__ import annotations

from typing import Any

from django import forms

from chat.inquiries import STATUSES


class CustomerSearchForm(forms.Form):
    search = forms.CharField(max_length=100, required=False, label="Name or email")


class CustomerProfileForm(forms.Form):
    userName = forms.CharField(max_length=100, required=False, label="Name")
    userEmail = forms.EmailField(max_length=254, required=False, label="Email")
    contactNumber = forms.CharField(max_length=40, required=False, label="Phone")
    userDevice = forms.CharField(max_length=200, required=False, label="Device")
    userLocation = forms.CharField(max_length=200, required=False, label="Location")


class CannedReplyForm(forms.Form):
    title = forms.CharField(max_length=100)
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class InquiryFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status")] + [(s, s.replace("_", " ").title()) for s in STATUSES], required=False
    )
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            raise forms.ValidationError("The start date must not be after the end date.")
        return cleaned

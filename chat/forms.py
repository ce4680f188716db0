"""Portal forms of the Customers & chat section."""

from __future__ import annotations

from typing import Any, cast

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
        choices=[("", "Any status")] + [(s, s.replace("_", " ").capitalize()) for s in STATUSES], required=False
    )
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            raise forms.ValidationError("The start date must not be after the end date.")
        return cleaned


class InquiryReplyForm(forms.Form):
    """The answer to an inquiry, emailed from its page. ``key`` is one per rendered form, so a
    double submit of it sends one email (chat.inquiries.inquiry_answer)."""

    subject = forms.CharField(max_length=200)
    canned = forms.ChoiceField(
        required=False,
        label="Canned reply",
        help_text="Fills in the message; edit it before sending.",
    )
    text = forms.CharField(
        max_length=10000,
        required=False,
        label="Message",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    resolve = forms.BooleanField(required=False, initial=True, label="Mark the inquiry resolved")
    key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This form is out of date: reload the page and send again.",
            "invalid": "This form is out of date: reload the page and send again.",
        },
    )

    def __init__(self, *args: Any, replies: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        """``replies``: the canned replies, id -> (title, text)."""
        super().__init__(*args, **kwargs)
        self.replies = replies
        canned = cast("forms.ChoiceField", self.fields["canned"])
        canned.choices = [("", "None"), *((key, title) for key, (title, _) in replies.items())]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not (cleaned.get("text") or "").strip():
            # Without the page's script the chosen canned reply is the message as it is.
            if cleaned.get("canned"):
                cleaned["text"] = self.replies[cleaned["canned"]][1]
            elif "text" not in self.errors:
                self.add_error("text", "Write a message or choose a canned reply.")
        return cleaned

from collections.abc import Iterator
from typing import Any

from django import forms

from autolab.permissions import Role
from staffapp.roles import ROLE_LABELS, role_description

ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in Role]


class _WithRoles(forms.Form):
    def role_choices(self) -> Iterator[tuple[Any, str]]:
        """Each role's checkbox with what the role can do (staff/_roles.html shows both)."""
        for choice in self["roles"]:
            yield choice, role_description(Role(choice.data["value"]))


class StaffRolesForm(_WithRoles):
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)


class StaffCreateForm(_WithRoles):
    email = forms.EmailField(max_length=254)
    name = forms.CharField(max_length=100)
    phone = forms.CharField(max_length=20, required=False)
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)
    password = forms.CharField(widget=forms.PasswordInput, min_length=8, max_length=128)

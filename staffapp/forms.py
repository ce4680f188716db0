from django import forms

from autolab.permissions import Role

ROLE_CHOICES = [(role.value, role.value.replace("_", " ").title()) for role in Role]


class StaffRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)


class StaffCreateForm(forms.Form):
    email = forms.EmailField(max_length=254)
    name = forms.CharField(max_length=100)
    phone = forms.CharField(max_length=20, required=False)
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)
    password = forms.CharField(widget=forms.PasswordInput, min_length=8, max_length=128)

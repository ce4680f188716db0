"""The customer's manage page, behind a signed link (bookings.manage_links)."""

from django.urls import path

from bookings import manage_views

urlpatterns = [
    path("<str:token>", manage_views.ManagePage.as_view(), name="bookings-manage"),
]

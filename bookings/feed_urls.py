"""A mechanic's calendar feed, behind its signed token (bookings.calendar_feed)."""

from django.urls import path

from bookings import feed_views

urlpatterns = [
    path("<str:token>.ics", feed_views.calendar_feed_view, name="bookings-calendar-feed"),
]

"""Every app's API under /api/, with the original website's paths."""

from django.urls import include, path

from autolab import apis

urlpatterns = [
    path("health", apis.HealthApi.as_view(), name="health"),
    path("", include("staffapp.urls")),
    path("", include("bookings.urls")),
    path("", include("shop.urls")),
    path("", include("billing.urls")),
    path("", include("chat.urls")),
]

"""Every app's API under /api/, with the original website's paths."""

from django.urls import include, path

from autolab import apis, files

urlpatterns = [
    path("health", apis.HealthApi.as_view(), name="health"),
    path("prices", apis.PricesApi.as_view(), name="prices"),
    path("search", apis.SearchApi.as_view(), name="search"),
    path("files/upload/<str:token>", files.file_upload, name="file-upload"),
    path("files/<str:token>", files.file_download, name="file-download"),
    path("", include("staffapp.urls")),
    path("", include("bookings.urls")),
    path("", include("shop.urls")),
    path("", include("billing.urls")),
    path("", include("chat.urls")),
    path("", include("emails.urls")),
    path("", include("inspections.urls")),
]

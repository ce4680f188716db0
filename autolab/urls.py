from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from staffapp.sites import portal_site

urlpatterns = [
    path("admin/", portal_site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include("autolab.api_urls")),
    path("manage/", include("bookings.manage_urls")),
    path("calendar/", include("bookings.feed_urls")),
]

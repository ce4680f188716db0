from django.urls import path

from bookings import apis

urlpatterns = [
    path("services", apis.ServicesApi.as_view(), name="services"),
    path("unavailable-slots", apis.UnavailableSlotsApi.as_view(), name="unavailable-slots"),
    path("availability", apis.AvailabilityApi.as_view(), name="availability"),
    path("appointments", apis.AppointmentsApi.as_view(), name="appointments"),
    path("appointments/<str:appointment_id>", apis.AppointmentDetailApi.as_view(), name="appointment-detail"),
    path("upload-urls", apis.UploadUrlApi.as_view(), name="upload-urls"),
]

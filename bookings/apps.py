from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"

    def ready(self) -> None:
        from autolab import storage
        from bookings.services import report_upload_claim

        storage.register_upload_claimer("reports/", report_upload_claim)

from django.apps import AppConfig

from autolab import price_lists, storage


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"

    def ready(self) -> None:
        # Imported here, not at the top: these load models, which wait for the app registry.
        from autolab import domain_events
        from bookings import searching, vehicles
        from bookings.serializers.outputs import service_price_rows
        from bookings.services import report_upload_claim

        searching.register()
        domain_events.subscribe(domain_events.VehicleSeen, vehicles.vehicle_seen_elsewhere)

        storage.register_upload_claimer("reports/", report_upload_claim)
        price_lists.register_price_list("servicePrices", service_price_rows)

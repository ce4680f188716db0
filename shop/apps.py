from django.apps import AppConfig

from autolab import price_lists


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        # Imported here, not at the top: the serializers load models, which wait for the app registry.
        from shop import searching
        from shop.serializers.outputs import item_price_rows

        searching.register()
        price_lists.register_price_list("itemPrices", item_price_rows)

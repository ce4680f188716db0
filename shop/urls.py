from django.urls import path

from shop import apis

urlpatterns: list = [
    path("items", apis.ItemListApi.as_view(), name="shop-items"),
    path("orders", apis.OrderListCreateApi.as_view(), name="shop-orders"),
    path("orders/<str:order_id>", apis.OrderDetailApi.as_view(), name="shop-order-detail"),
]

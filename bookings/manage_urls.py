"""The customer's manage page and the seller's confirmation page, behind signed links."""

from django.urls import path

from bookings import manage_views, seller_views

urlpatterns = [
    path("seller/<str:token>", seller_views.SellerPage.as_view(), name="bookings-seller"),
    path("<str:token>", manage_views.ManagePage.as_view(), name="bookings-manage"),
]

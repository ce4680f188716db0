from django.urls import include, path

urlpatterns: list = [
    path("", include("chat.emails.urls")),
]

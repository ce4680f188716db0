from django.urls import path

from staffapp import apis

urlpatterns = [
    path("auth/token", apis.TokenCreateApi.as_view(), name="auth-token"),
    path("auth/me", apis.MeApi.as_view(), name="auth-me"),
    path("users/staff", apis.StaffRolesApi.as_view(), name="users-staff"),
]

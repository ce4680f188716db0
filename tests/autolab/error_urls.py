"""A URLconf of tiny views that raise each kind of error, to test the API envelope."""

from django.http import Http404
from django.urls import include, path
from rest_framework import serializers
from rest_framework.views import APIView

from autolab import exceptions
from autolab.api import ok
from autolab.pagination import decode_cursor
from autolab.permissions import Permission, staff_with


class EchoApi(APIView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=10)
        count = serializers.IntegerField(min_value=1)

    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return ok({"echo": data.validated_data})


def raising(error: Exception) -> type[APIView]:
    class RaisingApi(APIView):
        def get(self, request):
            raise error

    return RaisingApi


class CursorApi(APIView):
    def get(self, request):
        return ok({"key": decode_cursor(request.query_params.get("cursor"))})


class AdminOnlyApi(APIView):
    permission_classes = [staff_with(Permission.STAFF_MANAGE)]

    def get(self, request):
        return ok()


urlpatterns = [
    path("t/echo", EchoApi.as_view()),
    path("t/conflict", raising(exceptions.Conflict("Slot taken")).as_view()),
    path("t/limit", raising(exceptions.LimitReached("Daily limit reached")).as_view()),
    path("t/forbidden", raising(exceptions.PermissionDenied("Not yours")).as_view()),
    path("t/missing", raising(exceptions.NotFound("Appointment not found")).as_view()),
    path("t/http404", raising(Http404("gone")).as_view()),
    path("t/cursor", CursorApi.as_view()),
    path("t/admin", AdminOnlyApi.as_view()),
    path("", include("autolab.urls")),
]

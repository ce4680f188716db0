from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autolab import login_guard
from autolab.api import ok, validated_body
from autolab.exceptions import LimitReached, NotAuthenticated
from autolab.permissions import IsStaff, Permission, staff_required, staff_with
from autolab.throttling import LoginThrottle
from staffapp.selectors import staff_identity_for_user
from staffapp.services import staff_issue_token, staff_set_roles


class TokenCreateApi(APIView):
    """Exchange a staff email and password for an API token (``Authorization: Bearer <token>``)."""

    authentication_classes: list = []
    throttle_classes = [LoginThrottle]  # all attempts per address; failures are limited below

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=256, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "TokenOut", {"success": serializers.BooleanField(), "token": serializers.CharField()}
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = validated_body(self.InputSerializer, request)
        email, ip = data["email"].lower(), login_guard.client_ip(request.META)
        if login_guard.is_locked(ip, email):
            raise LimitReached("Too many failed sign-in attempts; try again in 15 minutes")
        user = authenticate(request, username=email, password=data["password"])
        if user is None or staff_identity_for_user(user) is None:
            login_guard.record_failure(ip, email)
            raise NotAuthenticated("Invalid email or password")
        login_guard.reset(ip, email)
        return ok({"token": staff_issue_token(user=user)})


class MeApi(APIView):
    """The signed-in staff member and the roles the Staff table gives them."""

    permission_classes = [IsStaff]

    @extend_schema(
        responses={
            200: inline_serializer(
                "MeOut",
                {
                    "success": serializers.BooleanField(),
                    "userId": serializers.CharField(),
                    "email": serializers.CharField(),
                    "userName": serializers.CharField(),
                    "roles": serializers.ListField(child=serializers.CharField()),
                },
            )
        }
    )
    def get(self, request: Request) -> Response:
        staff = staff_required(request)
        return ok({"userId": staff.user_id, "email": staff.email, "userName": staff.name, "roles": sorted(staff.roles)})


class StaffRolesApi(APIView):
    """ADMIN: replace another staff member's roles (original ``POST /users/staff``)."""

    permission_classes = [staff_with(Permission.STAFF_MANAGE)]

    class StaffRolesInputSerializer(serializers.Serializer):
        user_email = serializers.EmailField(max_length=254)
        roles = serializers.ListField(child=serializers.CharField(max_length=40), allow_empty=False, max_length=10)

    @extend_schema(
        operation_id="users_staff_roles_update",
        request=StaffRolesInputSerializer,
        responses={
            200: inline_serializer(
                "StaffRolesOut",
                {
                    "success": serializers.BooleanField(),
                    "message": serializers.CharField(),
                    "updatedStaff": inline_serializer(
                        "StaffRolesUpdatedStaff",
                        {
                            "userEmail": serializers.CharField(),
                            "userName": serializers.CharField(),
                            "previousRoles": serializers.ListField(child=serializers.CharField()),
                            "newRoles": serializers.ListField(child=serializers.CharField()),
                        },
                    ),
                    "updatedBy": inline_serializer(
                        "StaffRolesUpdatedBy",
                        {
                            "adminEmail": serializers.CharField(),
                            "adminName": serializers.CharField(),
                            "adminId": serializers.CharField(),
                            "updatedAt": serializers.IntegerField(),
                        },
                    ),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = validated_body(self.StaffRolesInputSerializer, request)
        actor = staff_required(request)
        change = staff_set_roles(actor=actor, email=data["user_email"], roles=data["roles"])
        return ok(
            {
                "message": "Staff roles updated successfully",
                "updatedStaff": {
                    "userEmail": change.staff.user_email,
                    "userName": change.staff.user_name,
                    "previousRoles": change.previous_roles,
                    "newRoles": list(change.staff.roles),
                },
                "updatedBy": {
                    "adminEmail": actor.email,
                    "adminName": actor.name,
                    "adminId": actor.user_id,
                    "updatedAt": change.updated_at,
                },
            }
        )

from django.urls import path

from chat import apis

urlpatterns: list = [
    path("users", apis.UsersApi.as_view(), name="users"),
    path("users/register", apis.CustomerRegisterApi.as_view(), name="users-register"),
    path("users/check", apis.CustomerCheckApi.as_view(), name="users-check"),
    path("users/online", apis.OnlineUsersApi.as_view(), name="users-online"),
    path("users/take", apis.CustomerTakeApi.as_view(), name="users-take"),
    path("users/release", apis.CustomerReleaseApi.as_view(), name="users-release"),
    path("messages", apis.MessagesApi.as_view(), name="messages"),
    path("messages/notify", apis.MessageNotifyApi.as_view(), name="messages-notify"),
    path("messages/last", apis.LastMessagesApi.as_view(), name="messages-last"),
    path("inquiries", apis.InquiriesApi.as_view(), name="inquiries"),
    path("inquiries/<str:inquiry_id>", apis.InquiryDetailApi.as_view(), name="inquiry-detail"),
]

from django.urls import path

from emails import apis, attachment_apis

urlpatterns = [
    path("emails", apis.EmailListApi.as_view(), name="emails"),
    path("emails/<str:email_id>", apis.EmailDetailApi.as_view(), name="email-detail"),
    path("email-suppression/check", apis.SuppressionCheckApi.as_view(), name="email-suppression-check"),
    path("email-suppression/list", apis.SuppressionListApi.as_view(), name="email-suppression-list"),
    path("email-suppression/add", apis.SuppressionAddApi.as_view(), name="email-suppression-add"),
    path("email-suppression/remove", apis.SuppressionRemoveApi.as_view(), name="email-suppression-remove"),
    path("email-suppression/analytics", apis.SuppressionAnalyticsApi.as_view(), name="email-suppression-analytics"),
    path("email-suppression/cleanup", apis.SuppressionCleanupApi.as_view(), name="email-suppression-cleanup"),
    path("attachments", attachment_apis.AttachmentListApi.as_view(), name="attachments"),
    path("attachments/<str:attachment_id>", attachment_apis.AttachmentDetailApi.as_view(), name="attachment-detail"),
    path("webhooks/ses", apis.SesWebhookApi.as_view(), name="webhook-ses"),
]

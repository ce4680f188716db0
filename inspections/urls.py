from django.urls import path

from inspections import apis

JOB = "appointments/<str:appointment_id>/inspection"

urlpatterns = [
    path("inspection-templates", apis.TemplatesApi.as_view(), name="templates"),
    path("inspection-templates/<str:template_id>", apis.TemplateDetailApi.as_view(), name="template-detail"),
    path("inspections", apis.InspectionsByVinApi.as_view(), name="by-vin"),
    path("inspections/compare", apis.InspectionsCompareApi.as_view(), name="compare"),
    path(JOB, apis.InspectionApi.as_view(), name="inspection"),
    path(f"{JOB}/submit", apis.InspectionSubmitApi.as_view(), name="submit"),
    path(f"{JOB}/items/<str:item_id>", apis.InspectionItemApi.as_view(), name="item"),
    path(f"{JOB}/items/<str:item_id>/photos", apis.InspectionPhotosApi.as_view(), name="photos"),
    path(f"{JOB}/items/<str:item_id>/photos/<str:photo_id>", apis.InspectionPhotoApi.as_view(), name="photo"),
]

"""Personal data: a resident's export and erasure, the audit log and the access log."""

from django.urls import path

from corridor_portal import views_privacy

app_name = "privacy"

urlpatterns = [
    path("audit/", views_privacy.audit_log_view, name="audit_log"),
    path("access/", views_privacy.AccessLogView.as_view(), name="access_log"),
    path("residents/<int:pk>/export/", views_privacy.resident_export_view, name="resident_export"),
    path("residents/<int:pk>/erase/", views_privacy.resident_erase_view, name="resident_erase"),
]

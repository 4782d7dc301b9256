"""Dashboards and the upward report (上报信息)."""

from django.urls import path

from corridor_portal import views_dashboard, views_report

app_name = "dashboard"

urlpatterns = [
    path("", views_dashboard.DistrictDashboardView.as_view(), name="district"),
    path("c/<int:pk>/", views_dashboard.CommunityDashboardView.as_view(), name="community"),
    path("b/<int:pk>/", views_dashboard.BuildingDashboardView.as_view(), name="building"),
    path("export.xlsx", views_dashboard.dashboard_export, name="export"),
    path("report/", views_report.ReportView.as_view(), name="report"),
    path("report.docx", views_report.report_docx, name="report_docx"),
]

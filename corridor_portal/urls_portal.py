"""Cross-app read pages: communities with the figures of their buildings and residents."""

from django.urls import path

from corridor_portal import views

app_name = "portal"

urlpatterns = [
    path("", views.CommunityListView.as_view(), name="community_list"),
    path("<int:pk>/", views.CommunityDetailView.as_view(), name="community_detail"),
]

from django.urls import path

from communities import views

app_name = "communities"

urlpatterns = [
    path("<int:pk>/edit/", views.CommunityUpdateView.as_view(), name="community_update"),
    path("<int:pk>/leading-group/", views.LeadingGroupView.as_view(), name="leading_group"),
    path(
        "<int:community_pk>/sections/new/", views.SectionCreateView.as_view(), name="section_create"
    ),
    path("sections/<int:pk>/edit/", views.SectionUpdateView.as_view(), name="section_update"),
]

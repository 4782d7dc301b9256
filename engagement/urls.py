from django.urls import path

from engagement import views_campaigns as campaigns
from engagement import views_guidance as guidance
from engagement import views_polls as polls

app_name = "engagement"

urlpatterns = [
    # Outreach campaigns, suggestions and symposiums
    path("campaigns/", campaigns.CampaignListView.as_view(), name="campaign_list"),
    path(
        "c/<int:community_pk>/campaigns/new/",
        campaigns.CampaignCreateView.as_view(),
        name="campaign_create",
    ),
    path("campaigns/<int:pk>/", campaigns.CampaignDetailView.as_view(), name="campaign_detail"),
    path(
        "campaigns/<int:pk>/edit/", campaigns.CampaignUpdateView.as_view(), name="campaign_update"
    ),
    path("suggestions/", campaigns.SuggestionListView.as_view(), name="suggestion_list"),
    path(
        "c/<int:community_pk>/suggestions/new/",
        campaigns.SuggestionCreateView.as_view(),
        name="suggestion_create",
    ),
    path(
        "suggestions/<int:pk>/", campaigns.SuggestionDetailView.as_view(), name="suggestion_detail"
    ),
    path(
        "suggestions/<int:pk>/edit/",
        campaigns.SuggestionUpdateView.as_view(),
        name="suggestion_update",
    ),
    path(
        "suggestions/<int:pk>/answer/",
        campaigns.SuggestionAnswerView.as_view(),
        name="suggestion_answer",
    ),
    path("symposiums/", campaigns.SymposiumListView.as_view(), name="symposium_list"),
    path(
        "c/<int:community_pk>/symposiums/new/",
        campaigns.SymposiumCreateView.as_view(),
        name="symposium_create",
    ),
    path("symposiums/<int:pk>/", campaigns.SymposiumDetailView.as_view(), name="symposium_detail"),
    path(
        "symposiums/<int:pk>/edit/",
        campaigns.SymposiumUpdateView.as_view(),
        name="symposium_update",
    ),
    # Polls
    path("polls/", polls.PollListView.as_view(), name="poll_list"),
    path("c/<int:community_pk>/polls/new/", polls.PollCreateView.as_view(), name="poll_create"),
    path("polls/<int:pk>/", polls.PollDetailView.as_view(), name="poll_detail"),
    path("polls/<int:pk>/count/", polls.PollCountView.as_view(), name="poll_count"),
    path("polls/<int:pk>/close/", polls.poll_close, name="poll_close"),
    # Guidance visits and the problems they raise
    path("visits/", guidance.VisitListView.as_view(), name="visit_list"),
    path("visits/new/", guidance.VisitCreateView.as_view(), name="visit_create"),
    path("visits/<int:pk>/", guidance.VisitDetailView.as_view(), name="visit_detail"),
    path("visits/<int:pk>/edit/", guidance.VisitUpdateView.as_view(), name="visit_update"),
    path(
        "visits/<int:pk>/problems/new/",
        guidance.ProblemCreateView.as_view(),
        name="problem_create",
    ),
    path("problems/", guidance.ProblemListView.as_view(), name="problem_list"),
    path("problems/<int:pk>/close/", guidance.ProblemCloseView.as_view(), name="problem_close"),
]

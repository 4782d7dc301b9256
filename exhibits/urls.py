from django.urls import path

from exhibits import views

app_name = "exhibits"

urlpatterns = [
    path("corridors/", views.CorridorListView.as_view(), name="corridor_list"),
    path("units/<int:unit_pk>/corridor/", views.unit_corridor, name="unit_corridor"),
    path(
        "units/<int:unit_pk>/corridor/new/",
        views.CorridorCreateView.as_view(),
        name="corridor_create",
    ),
    path("corridors/<int:pk>/", views.CorridorDetailView.as_view(), name="corridor_detail"),
    path("corridors/<int:pk>/edit/", views.CorridorUpdateView.as_view(), name="corridor_update"),
    path("corridors/<int:pk>/certify/", views.corridor_certify, name="corridor_certify"),
    path("corridors/<int:pk>/withdraw/", views.corridor_withdraw, name="corridor_withdraw"),
    path("corridors/<int:pk>/poster/", views.CorridorPosterView.as_view(), name="corridor_poster"),
    path("corridors/<int:pk>/pairs/new/", views.PairCreateView.as_view(), name="pair_create"),
    path("pairs/<int:pk>/<str:side>/", views.pair_photo, name="pair_photo"),
    path(
        "corridors/<int:corridor_pk>/exhibits/new/",
        views.ExhibitCreateView.as_view(),
        name="exhibit_create",
    ),
    path("", views.ExhibitListView.as_view(), name="exhibit_list"),
    path("check/", views.CheckQueueView.as_view(), name="check_queue"),
    path("review/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("<int:pk>/", views.ExhibitDetailView.as_view(), name="exhibit_detail"),
    path("<int:pk>/edit/", views.ExhibitUpdateView.as_view(), name="exhibit_update"),
    path("<int:pk>/move/", views.ExhibitMoveView.as_view(), name="exhibit_move"),
    path("<int:pk>/<str:action>/", views.exhibit_transition, name="exhibit_transition"),
    path("photos/<int:pk>/<str:size>/", views.photo, name="photo"),
    path("g/<str:slug>/", views.public_gallery, name="public_gallery"),
]

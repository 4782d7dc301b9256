from django.urls import path

from buildings import views

app_name = "buildings"

urlpatterns = [
    path("", views.BuildingListView.as_view(), name="building_list"),
    path("new/", views.BuildingCreateView.as_view(), name="building_create"),
    path("<int:pk>/", views.BuildingDetailView.as_view(), name="building_detail"),
    path("<int:pk>/edit/", views.BuildingUpdateView.as_view(), name="building_update"),
    path("<int:parent_pk>/units/new/", views.UnitCreateView.as_view(), name="unit_create"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", views.UnitUpdateView.as_view(), name="unit_update"),
    path(
        "units/<int:parent_pk>/households/new/",
        views.HouseholdCreateView.as_view(),
        name="household_create",
    ),
    path("households/", views.HouseholdListView.as_view(), name="household_list"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path("households/<int:pk>/edit/", views.HouseholdUpdateView.as_view(), name="household_update"),
    path(
        "households/<int:parent_pk>/residents/new/",
        views.ResidentCreateView.as_view(),
        name="resident_create",
    ),
    path("residents/", views.ResidentListView.as_view(), name="resident_list"),
    path("residents/<int:pk>/", views.ResidentDetailView.as_view(), name="resident_detail"),
    path("residents/<int:pk>/edit/", views.ResidentUpdateView.as_view(), name="resident_update"),
    path("import/<int:community_pk>/", views.RosterImportView.as_view(), name="roster_import"),
    path(
        "import/<int:community_pk>/confirm/",
        views.RosterImportConfirmView.as_view(),
        name="roster_import_confirm",
    ),
    path("export/<int:community_pk>/", views.RosterExportView.as_view(), name="roster_export"),
]

urlpatterns += [
    path("funds/", views.FundListView.as_view(), name="fund_list"),
    path("<int:building_pk>/funds/new/", views.FundCreateView.as_view(), name="fund_create"),
    path("funds/<int:pk>/", views.FundDetailView.as_view(), name="fund_detail"),
    path("funds/<int:pk>/edit/", views.FundUpdateView.as_view(), name="fund_update"),
    path("funds/<int:pk>/notice/", views.FundNoticeView.as_view(), name="fund_notice"),
    path(
        "funds/<int:pk>/donations/new/",
        views.DonationCreateView.as_view(),
        name="donation_create",
    ),
    path("funds/<int:pk>/expenses/new/", views.ExpenseCreateView.as_view(), name="expense_create"),
    path("donations/<int:pk>/reverse/", views.donation_reverse, name="donation_reverse"),
    path("expenses/<int:pk>/reverse/", views.expense_reverse, name="expense_reverse"),
    path("expenses/<int:pk>/receipt/", views.expense_receipt, name="expense_receipt"),
]

urlpatterns += [
    path("funds/<int:pk>/export/", views.fund_export, name="fund_export"),
    path(
        "funds/community/<int:community_pk>/export/",
        views.community_funds_export,
        name="community_funds_export",
    ),
    path("funds/<int:pk>/import/", views.DonationImportView.as_view(), name="donation_import"),
    path(
        "funds/<int:pk>/import/confirm/",
        views.DonationImportConfirmView.as_view(),
        name="donation_import_confirm",
    ),
]

urlpatterns += [
    path("rosters/", views.RosterListView.as_view(), name="roster_list"),
    path(
        "units/<int:unit_pk>/rosters/new/",
        views.RosterCreateView.as_view(),
        name="roster_create",
    ),
    path("rosters/<int:pk>/", views.RosterDetailView.as_view(), name="roster_detail"),
    path("rosters/<int:pk>/order/", views.RosterOrderView.as_view(), name="roster_order"),
    path("rosters/<int:pk>/sheet/", views.RosterSheetView.as_view(), name="roster_sheet"),
    path("shifts/<int:pk>/mark/", views.shift_mark, name="shift_mark"),
    path("shifts/<int:pk>/swap/", views.ShiftSwapView.as_view(), name="shift_swap"),
]

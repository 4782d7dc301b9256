from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from corridor_portal import views
from corridor_portal.login import AdminLoginForm, LoginForm

admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("communities/", include("corridor_portal.urls_portal")),
    path("communities/", include("communities.urls")),
    path("buildings/", include("buildings.urls")),
    path("exhibits/", include("exhibits.urls")),
    path("engagement/", include("engagement.urls")),
    path("dashboard/", include("corridor_portal.urls_dashboard")),
    path("privacy/", include("corridor_portal.urls_privacy")),
]

# A database or Redis out of reach answers a friendly 503 page, anything else the 500 page.
handler500 = "corridor_portal.faults.server_error"

# Media files are never served from a public URL: photos go through views that check
# who may see them (exhibits.views.photo).

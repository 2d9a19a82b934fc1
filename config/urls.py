"""The project's URLs. Every pattern is covered by tests/test_authorization_matrix.py."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from core import views as core_views
from parties.views import LoginView, LogoutView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("inloggen/", LoginView.as_view(), name="login"),
    path("uitloggen/", LogoutView.as_view(), name="logout"),
    path("health/", core_views.health, name="health"),
    path("taal/", login_not_required(set_language), name="set_language"),
    path("werkplek/", include("casusoverleg.urls")),
    path("portaal/", include("portal.auth_urls")),
    path("portaal/", include("portal.urls")),
    path("fg/", include("audit.urls")),
    # Covenant governance (issue 7): before the beheer catch-all `<slug:kind>/`.
    path("beheer/convenant/", include("convenant.governance_urls")),
    path("beheer/", include("convenant.urls")),
    # Issue 7: the workplace's second factor, recovery codes and the session keep-alive.
    path("account/", include("parties.urls")),
    # Breaches (issue 7): report, register and the FG's steps (SPEC §7.2).
    path("datalekken/", include("convenant.incident_urls")),
    # Retention (issue 7): dry-run report, runs and legal holds.
    path("bewaren/", include("casusoverleg.retention_urls")),
    # Management figures and register extract (issue 7, R-20-1, R-20-2, R-15-2).
    path("sturing/", include("casusoverleg.dashboard_urls")),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

from django.contrib import admin
from django.urls import include, path

from accounts.privacy import views as privacy_views
from core import views as core_views

urlpatterns = [
    path("", core_views.landing, name="landing"),
    path("accueil/", core_views.home, name="home"),
    path("convention/", core_views.convention, name="convention"),
    path("accessibilite/", core_views.accessibility, name="accessibility"),
    path("vie-privee/", privacy_views.privacy_notice, name="privacy"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("compte/", include("allauth.urls")),
    path("compte/", include("accounts.urls")),
    path("adhesion/", include("adhesions.urls")),
    path("organisations/", include("members.urls")),
    path("signataires/", include("members.public_urls")),
    path("gt/", include("thematic_groups.urls")),
    path("rapportage/", include("reporting.urls")),
    path("bibliotheque/", include("community.urls")),
    path("admin/", admin.site.urls),
]

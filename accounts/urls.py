from django.urls import path

from accounts import views
from accounts.privacy import views as privacy_views

app_name = "accounts"
urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("mes-donnees/", privacy_views.my_data, name="my_data"),
    path("mes-donnees/<int:pk>/telecharger/", privacy_views.my_data_download, name="my_data_download"),
    path("fermer/", privacy_views.account_close, name="account_close"),
    path("profil/autres-sessions/", views.end_other_sessions, name="end_other_sessions"),
]

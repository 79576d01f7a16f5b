from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
    path("", views.library, name="library"),
    path("deposer/", views.deposit, name="deposit"),
    path("mes-depots/", views.my_deposits, name="my_deposits"),
    path("moderation/", views.moderation, name="moderation"),
    path("veille/", views.watch_settings, name="watch"),
    path("contributions/", views.contributions, name="contributions"),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/<int:pk>/", views.event_detail, name="event"),
    path("agenda/<int:pk>/inscription/", views.event_register, name="event_register"),
    path("agenda/<int:pk>/desinscription/", views.event_unregister, name="event_unregister"),
    path("agenda/<int:pk>/evenement.ics", views.event_ics, name="event_ics"),
    path("veille/desabonner/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<int:pk>/", views.resource_detail, name="resource"),
    path("<int:pk>/fichier/", views.resource_file, name="resource_file"),
    path("<int:pk>/modifier/", views.resource_edit, name="resource_edit"),
    path("<int:pk>/moderer/", views.moderate, name="moderate"),
    path("<int:pk>/signaler/", views.flag, name="flag"),
]

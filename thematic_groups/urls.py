from django.urls import path

from thematic_groups import board_views, views

app_name = "thematic_groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("mes-places/", views.my_places, name="my_places"),
    path("mes-places/<int:pk>/reponse/", views.offer_answer, name="offer_answer"),
    path("tableau/", board_views.board, name="board"),
    path("tableau/proposition/", board_views.proposal_compute, name="proposal_compute"),
    path("tableau/proposition/<int:pk>/", board_views.proposal_detail, name="proposal"),
    path("tableau/delais/", board_views.assignment_deadlines, name="deadlines"),
    path("tableau/attente/<int:pk>/priorite/", board_views.waiting_priority, name="waiting_priority"),
    path("tableau/<slug:slug>/", board_views.group_board, name="group_board"),
    path("tableau/<slug:slug>/placer/", board_views.group_place, name="group_place"),
    path("<slug:slug>/", views.group_detail, name="detail"),
    path("<slug:slug>/modifier/", views.group_edit, name="edit"),
]

from django.urls import path

from reporting import coordination_views, views

app_name = "reporting"

urlpatterns = [
    path("", views.my_actions, name="mine"),
    path("organisations/<int:organisation_pk>/actions/nouvelle/", views.action_create, name="internal_action_create"),
    path(
        "organisations/<int:organisation_pk>/actions/nouvelle/<slug:slug>/",
        views.action_create,
        name="action_create",
    ),
    path("actions/<int:pk>/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/supprimer/", views.action_delete, name="action_delete"),
    path("rapports/<int:pk>/", views.report_detail, name="report"),
    path("rapports/<int:pk>/rapport.pdf", views.report_pdf, name="report_pdf"),
    path("rapports/<int:pk>/consentement/", views.report_consent, name="report_consent"),
    path("rapports/<int:pk>/renvoyer/", coordination_views.report_return, name="report_return"),
    path("rapports/<int:pk>/accepter/", coordination_views.report_accept, name="report_accept"),
    path("campagnes/", coordination_views.campaigns, name="campaigns"),
    path("campagnes/ouvrir/", coordination_views.campaign_open, name="campaign_open"),
    path("campagnes/<int:year>/", coordination_views.campaign_detail, name="campaign"),
    path("campagnes/<int:year>/clore/", coordination_views.campaign_close, name="campaign_close"),
    path("evaluation/", coordination_views.evaluation, name="evaluation"),
    path("evaluation/evaluation.xlsx", coordination_views.evaluation_xlsx, name="evaluation_xlsx"),
    path("evaluation/evaluation.csv", coordination_views.evaluation_csv, name="evaluation_csv"),
    path("evaluation/pdf/", coordination_views.evaluation_pdf, name="evaluation_pdf"),
    path("exports/<int:pk>/", coordination_views.export_detail, name="export"),
    path("exports/<int:pk>/fichier/", coordination_views.export_file, name="export_file"),
]

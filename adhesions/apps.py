from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdhesionsConfig(AppConfig):
    name = "adhesions"
    verbose_name = _("Adhesions")
    default_auto_field = "django.db.models.BigAutoField"

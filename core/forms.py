from django.db import models


def https_url_formfield(db_field: models.Field, **kwargs):
    """ModelForm ``formfield_callback``: addresses typed without a scheme are taken as https,
    the behaviour Django adopts in 6.0."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)

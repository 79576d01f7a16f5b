from django import forms, template

register = template.Library()

_CHECKABLE = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, _CHECKABLE)


@register.filter
def bootstrap_widget(field):
    """Render a bound field's own widget with Bootstrap classes and the ARIA links to its help and errors.

    The widget keeps its own rules, so a password input never echoes what was typed.
    """
    widget = field.field.widget
    css = "form-check-input" if isinstance(widget, _CHECKABLE) else "form-control"
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
        css = "form-select"
    attrs = {"class": f"{widget.attrs.get('class', '')} {css}".strip()}
    described_by = []
    if field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        described_by.append(f"{field.auto_id}-error")
    if field.help_text:
        described_by.append(f"{field.auto_id}-help")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)

"""Django forms in the design system: each field rendered as a `field` wrapper (label, control,
`field-help`, `field-error` next to it), and service errors put back on the fields they name."""
from django import forms
from django.forms.renderers import TemplatesSetting

from annotate.errors import ServiceError


class FieldRenderer(TemplatesSetting):
    """`{{ form.title.as_field_group }}` renders templates/forms/field.html."""

    field_template_name = "forms/field.html"


RENDERER = FieldRenderer()


class Rendered:
    """Mix into any form (Django's auth forms too): our field template, labels without a colon."""

    default_renderer = RENDERER

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AppForm(Rendered, forms.Form):
    pass


def add_service_errors(form: forms.BaseForm, error: ServiceError, *, fields: dict[str, str] | None = None) -> None:
    """Show a service's {"field": ["message"]} on the form's fields, so the page says the same
    words as the API. `fields` maps a service field name to the form's where they differ;
    anything unknown becomes a form-wide error."""
    detail = error.detail if isinstance(error.detail, dict) else {"detail": error.detail}
    if "items" in detail and isinstance(detail["items"], list) and detail["items"]:  # one-item batch
        detail = detail["items"][0].get("errors", detail)
    for name, messages in detail.items():
        name = (fields or {}).get(name, name)
        messages = messages if isinstance(messages, list) else [messages]
        form.add_error(name if name in form.fields else None, [str(m) for m in messages])

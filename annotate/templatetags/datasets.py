"""Template tags that read the dataset format registry, so pages list every registered format."""
from django import template

from annotate.datasets.registry import EXPORT_FORMATS, IMPORT_FORMATS, export_format, import_format

register = template.Library()


@register.simple_tag
def import_format_choices() -> list[tuple[str, str]]:
    """(format name, what it reads) for each import format, in registry order."""
    return [(name, getattr(import_format(name), "DESCRIPTION", name)) for name in IMPORT_FORMATS]


@register.simple_tag
def export_format_choices() -> list[tuple[str, str]]:
    """(format name, what it writes) for each export format, in registry order (jsonl first)."""
    return [(name, getattr(export_format(name).module, "DESCRIPTION", name)) for name in EXPORT_FORMATS]

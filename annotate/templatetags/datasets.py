"""Template tags that read the dataset format registry, so pages list every registered format."""
from django import template

from annotate.datasets.registry import IMPORT_FORMATS, import_format

register = template.Library()


@register.simple_tag
def import_format_choices() -> list[tuple[str, str]]:
    """(format name, what it reads) for each import format, in registry order."""
    return [(name, getattr(import_format(name), "DESCRIPTION", name)) for name in IMPORT_FORMATS]

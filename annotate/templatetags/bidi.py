"""`isolate`: user text wrapped in U+2068 FIRST STRONG ISOLATE ... U+2069 POP DIRECTIONAL ISOLATE,
for the places markup cannot go (`<title>`, `<option>`, attribute values a reader sees), so a
right-to-left name, or a bidi control stored before the services refused them, cannot reorder
the text beside it. In page markup use `<bdi>` (or `dir="auto"` on an element holding only the
value) instead. A builtin (settings.TEMPLATES), so templates use it without {% load %}."""
from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

FSI, PDI = "\u2068", "\u2069"


@register.filter(is_safe=True)
def isolate(value) -> str:
    """The value, escaped, between FSI and PDI; empty stays empty (a default can follow)."""
    if value is None or value == "":
        return ""
    return mark_safe(f"{FSI}{conditional_escape(value)}{PDI}")

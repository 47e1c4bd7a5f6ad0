"""Template filters for the workflow pages: measures shown with three decimals or a dash."""
from django import template

register = template.Library()


@register.filter
def measure(values, key: str) -> str:
    """values[key] as 0.000, or "—" when the measure is undefined (or values is missing)."""
    if not isinstance(values, dict):
        return "—"
    value = values.get(key)
    return "—" if value is None else f"{value:.3f}"


@register.filter
def why(values, key: str) -> str:
    """Why values[key] is undefined, for a title attribute; empty when it is defined."""
    if not isinstance(values, dict):
        return ""
    return (values.get("undefined") or {}).get(key, "")


@register.filter
def get(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def duration(seconds) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"

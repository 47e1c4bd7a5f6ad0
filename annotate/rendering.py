"""Guidelines are Markdown written by managers: rendered, then sanitised, never trusted."""
import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML with raw HTML escaped first and the output sanitised by nh3 (ammonia):
    only the tags above survive, links keep http(s)/mailto and get rel=noopener noreferrer."""
    html = markdown.markdown(text.replace("<", "&lt;"), extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return mark_safe(clean)  # safe: sanitised by nh3 just above

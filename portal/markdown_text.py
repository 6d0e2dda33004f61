"""Organizer-written Markdown (rules, FAQ) rendered to HTML that is safe to show."""
import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "blockquote",
                "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}


def render_markdown(text):
    """Markdown to sanitized HTML: no script, no style, no event handlers, only plain links."""
    if not text:
        return Markup("")
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                        url_schemes={"http", "https", "mailto"}, link_rel="noopener nofollow")
    # Safe to mark: nh3 (an HTML sanitizer) kept only the tags and attributes listed above.
    return Markup(cleaned)  # nosec B704  # nosemgrep: markup-on-user-data

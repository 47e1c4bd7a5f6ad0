"""The article in a web page: text, title, author, outlet and date, by trafilatura (pinned).

Pure: bytes in, fields out. A saved page may be HTML or MHTML ("Save page as... single file"),
whose HTML part is read with the standard library's email parser."""
import datetime as dt
import email
import email.policy
from dataclasses import dataclass

import trafilatura

from annotate.errors import InvalidInput


@dataclass(frozen=True)
class Article:
    title: str
    text: str
    author: str
    outlet: str
    published_on: dt.date | None
    language: str
    url: str  # what the page says it is (canonical or MHTML location), "" if nothing


def html_of(body: bytes, *, content_type: str = "", file_name: str = "") -> tuple[str | bytes, str]:
    """(HTML, the page's own URL if the file says it) of an HTML or MHTML body."""
    looks_mhtml = (
        "multipart/related" in content_type.lower()
        or file_name.lower().endswith((".mht", ".mhtml"))
        or body[:2000].lower().find(b"multipart/related") >= 0
    )
    if not looks_mhtml:
        return body, ""
    message = email.message_from_bytes(body, policy=email.policy.default)
    location = str(message.get("Snapshot-Content-Location", "") or "")
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_content(), location or str(part.get("Content-Location", "") or "")
    raise InvalidInput({"file": ["This MHTML file holds no HTML page."]})


def extract_article(body: bytes, *, url: str = "", content_type: str = "", file_name: str = "") -> Article:
    html, own_url = html_of(body, content_type=content_type, file_name=file_name)
    field = "file" if file_name else "url"
    try:
        found = trafilatura.bare_extraction(html, url=url or own_url or None, with_metadata=True, include_comments=False)
    except Exception as error:  # trafilatura and lxml raise many kinds on broken markup
        raise InvalidInput({field: [f"The page could not be read as HTML ({type(error).__name__})."]}) from error
    if found is None or not (found.text or "").strip():
        raise InvalidInput({field: ["No article text was found in this page."]})
    data = found.as_dict()
    title = (data.get("title") or "").strip()
    text = data["text"].strip()
    first_line, _, rest = text.partition("\n")
    if title and first_line.strip() == title and rest.strip():
        text = rest.strip()  # trafilatura repeats the headline as the first line
    published_on = None
    if data.get("date"):
        try:
            published_on = dt.date.fromisoformat(str(data["date"])[:10])
        except ValueError:
            published_on = None
    return Article(
        title=title or "Untitled article",
        text=text,
        author=(data.get("author") or "").strip(),
        outlet=(data.get("sitename") or data.get("hostname") or "").strip(),
        published_on=published_on,
        language=(data.get("language") or "").strip(),
        url=(data.get("url") or own_url or "").strip(),
    )

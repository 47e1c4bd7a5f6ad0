"""Import one article as a document: the role first (nobody may make the server fetch for them
without being allowed to add documents), then fetch or read, extract, and create."""
import hashlib

from django.conf import settings
from django.db import transaction

from annotate.errors import InvalidInput, TooLarge
from annotate.models import Document, Project
from annotate.permissions import ADD_DOCUMENTS, Access, check
from annotate.services.documents import documents_create

from .extract import extract_article
from .fetch import fetch_page
from .models import ArticleSource


def article_import(*, project: Project, access: Access, actor, url: str | None = None, upload=None,
                   title: str = "") -> Document:
    check(access, ADD_DOCUMENTS, project=project)
    if bool(url) == bool(upload):
        raise InvalidInput({"url": ["Give the page's address, or upload the saved page (HTML or MHTML), not both."]})
    if upload is not None:
        if upload.size > settings.ARTICLE_FETCH_MAX_BYTES:
            raise TooLarge({"file": [f"The file is {upload.size} bytes; at most {settings.ARTICLE_FETCH_MAX_BYTES}."]})
        body = upload.read()
        article = extract_article(body, content_type=getattr(upload, "content_type", "") or "", file_name=upload.name)
        requested, final, content_type, file_name = "", article.url, getattr(upload, "content_type", "") or "", upload.name
    else:
        page = fetch_page(url)
        body = page.body
        article = extract_article(body, url=page.final_url, content_type=page.content_type)
        requested, final, content_type, file_name = page.url, page.final_url, page.content_type, ""
    fields = {
        "title": (title or article.title)[:500],
        "text": article.text,
        "outlet": article.outlet[:200],
        "author": article.author[:300],
        "source_url": final if final.startswith(("http://", "https://")) else "",
    }
    if article.published_on:
        fields["published_on"] = article.published_on.isoformat()
    if article.language:
        fields["language"] = article.language
    with transaction.atomic():
        try:
            (document,) = documents_create(project=project, access=access, actor=actor, items=[fields])
        except InvalidInput as error:  # name the article's fields, not item 0 of a batch
            items = error.detail.get("items") if isinstance(error.detail, dict) else None
            raise InvalidInput(items[0]["errors"] if items else error.detail) from None
        ArticleSource.objects.create(
            document=document, requested_url=requested[:2000], final_url=final[:2000], file_name=file_name[:300],
            content_type=content_type[:200], page_sha256=hashlib.sha256(body).hexdigest(), page_bytes=len(body),
            imported_by=actor,
        )
    return document

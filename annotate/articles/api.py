"""POST /api/v1/projects/{id}/articles/: a document from a web page's address or a saved page."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate.api.serializers import DocumentOut
from annotate.permissions import ADD_DOCUMENTS, project_for_user

from .services import article_import


class ArticleIn(serializers.Serializer):
    url = serializers.CharField(required=False, help_text="http(s) address of the article's page.")
    file = serializers.FileField(required=False, help_text="Or the saved page: HTML or MHTML (multipart).")
    title = serializers.CharField(required=False, max_length=500, help_text="Replaces the page's own headline.")


def provenance(document) -> dict:
    source = document.article_source
    return {"requested_url": source.requested_url, "final_url": source.final_url, "file_name": source.file_name,
            "page_sha256": source.page_sha256, "page_bytes": source.page_bytes}


class ArticleImportView(APIView):
    parser_classes = [JSONParser, MultiPartParser]
    throttle_scope = "import"

    @extend_schema(
        request={"application/json": ArticleIn, "multipart/form-data": ArticleIn},
        responses={201: OpenApiTypes.OBJECT},
        description="Managers: one document from a news article, its text, title, author, outlet and date extracted "
        "with trafilatura. The fetch is SSRF-safe (docs/article-import.md): public http(s) servers only, bounded "
        "redirects, size and time. 201 with the document and `article` (the page's SHA-256 and final URL); 400 naming "
        "why a page was not fetched or read; 413 past ARTICLE_FETCH_MAX_BYTES.",
    )
    def post(self, request, pk: int):
        project, access = project_for_user(request.user, pk, may=ADD_DOCUMENTS)  # before anything is fetched
        data = request.data
        document = article_import(
            project=project, access=access, actor=request.user,
            url=data.get("url") if isinstance(data.get("url"), str) else None,
            upload=request.FILES.get("file"), title=data.get("title") if isinstance(data.get("title"), str) else "",
        )
        return Response({**DocumentOut(document).data, "article": provenance(document)}, status=201)

"""Where an imported article came from: the page as fetched, for provenance."""
from django.conf import settings
from django.db import models

from annotate.models import Document


class ArticleSource(models.Model):
    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="article_source")
    requested_url = models.URLField(max_length=2000, blank=True, help_text="The address asked for; blank for an uploaded file.")
    final_url = models.URLField(max_length=2000, blank=True, help_text="After redirects, or the saved page's own address.")
    file_name = models.CharField(max_length=300, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    page_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the page's bytes as fetched or uploaded.")
    page_bytes = models.PositiveIntegerField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

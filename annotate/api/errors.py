"""Turns service errors and request-size errors into DRF responses with clear bodies."""
from django.core.exceptions import RequestDataTooBig
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from annotate.errors import ServiceError


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"detail": exc.detail}
        return Response(detail, status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": "The request body is too large."}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    return drf_exception_handler(exc, context)

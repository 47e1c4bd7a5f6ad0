"""Errors that services raise; the API and the pages turn each into one HTTP status."""


class ServiceError(Exception):
    status = 400

    def __init__(self, detail):
        super().__init__(detail)
        self.detail = detail


class InvalidInput(ServiceError):
    """400. `detail` maps field names to lists of messages, like a DRF serializer's errors."""

    status = 400


class NotFound(ServiceError):
    """404: the object was there when the request began but another request removed it first."""

    status = 404


class Conflict(ServiceError):
    """409: the request is well formed but clashes with the current state."""

    status = 409


class PreconditionFailed(ServiceError):
    """412: the client edited a version that is no longer current."""

    status = 412


class PreconditionRequired(ServiceError):
    """428: a change that must name the version it was made against came without one."""

    status = 428


class TooLarge(ServiceError):
    """413."""

    status = 413


def invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput({field: [message]})

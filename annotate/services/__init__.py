"""Every write goes through a function here: `git grep "def span_"` lists what a span can do."""
from annotate.services.documents import document_delete, document_update, documents_create  # noqa: F401
from annotate.services.projects import (  # noqa: F401
    member_add,
    member_remove,
    member_update,
    project_archive,
    project_create,
    project_delete,
    project_touch,
    project_update,
)
from annotate.services.spans import (  # noqa: F401
    span_create,
    span_create_for_user,
    span_create_read_for_token,
    span_delete,
    span_link_create,
    span_link_delete,
    span_update,
)
from annotate.services.assignments import assignment_mark_done, assignment_reopen  # noqa: F401

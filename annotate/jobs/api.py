"""/api/v1/jobs/: a job's state and progress, a project's jobs, cancel, and an output's download."""
import posixpath

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate.errors import InvalidInput
from annotate.jobs.models import Job, JobState
from annotate.jobs.serializers import JobOut
from annotate.jobs.services import job_cancel
from annotate.permissions import job_for_user, project_for_user, visible_jobs


def prefers_async(request) -> bool:
    """RFC 7240: `Prefer: respond-async` asks for a job even when the work is small."""
    return "respond-async" in request.headers.get("Prefer", "").replace(" ", "").split(",")


def job_accepted(job, *, ran_inline: bool = False) -> Response:
    """201 with the finished job when it ran in the request, else 202 with the job to poll;
    the job's URL in Location either way."""
    body = JobOut(job).data
    response = Response(body, status=status.HTTP_201_CREATED if ran_inline else status.HTTP_202_ACCEPTED)
    response["Location"] = body["url"]
    return response


class JobDetailView(APIView):
    @extend_schema(responses=JobOut, description="State, progress, result (with a download link) and errors of a job. "
                   "Visible to the project's managers and to whoever started it.")
    def get(self, request, pk: int):
        job, _ = job_for_user(request.user, pk)
        return Response(JobOut(job).data)


class JobCancelView(APIView):
    @extend_schema(request=None, responses={200: JobOut}, description="Cancel: a queued job at once, a running one at "
                   "its next progress step (everything it did is rolled back). 409 once finished.")
    def post(self, request, pk: int):
        job, access = job_for_user(request.user, pk)
        return Response(JobOut(job_cancel(access=access, job=job)).data)


class JobListView(ListAPIView):
    serializer_class = JobOut

    @extend_schema(
        parameters=[
            OpenApiParameter("project", int, description="A project's jobs: all of them for its managers, one's own "
                             "for other members (404 for non-members). Without it: the jobs you started."),
            OpenApiParameter("state", str, description="Comma-separated states, e.g. queued,running."),
        ],
        description="Jobs, newest first.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        project = self.request.query_params.get("project")
        if project is None:
            jobs = Job.objects.filter(creator_id=self.request.user.pk).select_related("creator")
        elif not project.isdigit() or int(project) >= 2**63:
            raise InvalidInput({"project": ["A project id."]})
        else:
            _, access = project_for_user(self.request.user, int(project))
            jobs = visible_jobs(access=access)
        states = [s for s in self.request.query_params.get("state", "").split(",") if s in JobState.values]
        return jobs.filter(state__in=states) if states else jobs


class JobDownloadView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes}, description="The job's output file "
                   "(an export), checked like the job itself; never a public media URL.")
    def get(self, request, pk: int):
        job, _ = job_for_user(request.user, pk)
        if job.state != JobState.SUCCEEDED or not job.output_file:
            raise Http404("This job has no file to download.")
        try:
            stream = default_storage.open(job.output_file, "rb")
        except FileNotFoundError:
            raise Http404("The file has been pruned; run the export again.") from None
        response = FileResponse(stream, as_attachment=True, filename=posixpath.basename(job.output_file))
        response["Cache-Control"] = "private, no-store"
        return response

"""manage.py jobs_prune: delete finished jobs older than JOBS_KEEP_DAYS, with their files."""
from django.core.management.base import BaseCommand

from annotate.jobs.services import jobs_prune


class Command(BaseCommand):
    help = "Delete finished jobs older than JOBS_KEEP_DAYS and their output files."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {jobs_prune()} finished jobs.")

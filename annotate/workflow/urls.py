"""Workflow pages (agreement, adjudication, releases, dashboard)."""
urlpatterns: list = []

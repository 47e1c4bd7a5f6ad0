"""Datasets: export formats (exports/), import formats (imports/), the one format registry, the
export selectors, the import service, and their pages and API."""

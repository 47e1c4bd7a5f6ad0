"""Dataset import parsers, one module per input format; each turns an uploaded file into ImportItems.

The write itself (checks, duplicates, one transaction) is annotate.datasets.services.dataset_import.
"""

"""Team workflow: assignment queue, agreement, adjudication into gold, releases."""

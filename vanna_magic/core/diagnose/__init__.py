"""What the repair prompt is told about a query that failed or ran and still looks wrong."""

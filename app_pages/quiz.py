"""Quiz page (work in progress)."""

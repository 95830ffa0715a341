"""The published API docs: scripts/docs and the pages a reader's browser shows."""

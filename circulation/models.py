"""Models of circulation (filled by its own issue)."""

"""Models of clusters (filled by its own issue)."""

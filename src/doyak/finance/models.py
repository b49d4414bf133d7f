"""Models of the finance app."""

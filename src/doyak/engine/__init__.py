"""Pure computation on plain typed data. Nothing in this package may import Django."""

"""Training services."""

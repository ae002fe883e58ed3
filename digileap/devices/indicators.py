"""Device indicator kinds (filled in by the indicators work)."""

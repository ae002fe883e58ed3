"""Reads of the allocation app, restricted to what the acting user may see: one module per area."""

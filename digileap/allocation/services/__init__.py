"""Writes of the allocation app, one module per area: rounds, needs, plans (with change requests)."""

"""Forms of the allocation app: one module per area."""

"""Allocation's contributions to the programmes' indicators (filled in below)."""

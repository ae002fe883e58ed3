"""Selectors of the training app: querysets already restricted to what the acting user may see."""

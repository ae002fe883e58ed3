def register(router) -> None:
    """Add this app's viewsets to the API router; basenames are the model names."""

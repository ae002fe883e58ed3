"""What connectivity adds to the menu and the home page (``digileap.core.contributions``)."""


def register() -> None:
    """Menu entries and to-dos; filled in by the campaign pages (``campaign_views``)."""

"""Staff and public pages of programmes (next step)."""

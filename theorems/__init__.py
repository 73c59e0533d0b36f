"""The claims catalogue."""

"""Pages and figures from the claims catalogue's results."""

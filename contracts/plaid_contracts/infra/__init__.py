"""What one run is: its settings, its target, its credentials, the pacing, what counts as the
target's own trouble, and where the runner's files are."""

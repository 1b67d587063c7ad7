"""Evaluation: the gold questions, metrics that match on citation metadata, and the runner."""

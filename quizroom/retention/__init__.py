"""Retention across repeat sessions: memory per person x question (FSRS), reports, review rounds."""

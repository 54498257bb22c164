"""costs layer."""

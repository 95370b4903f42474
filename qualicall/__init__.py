"""qualicall: interaction quality scoring for contact centres."""

__version__ = "0.1.0"

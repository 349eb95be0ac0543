"""longgame: how audiences on social networks respond to brand strategies over months and years."""

__version__ = "0.1.0"

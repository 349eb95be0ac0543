"""Shipped TOML presets: strategies, audiences, platforms, scenarios and comparisons."""

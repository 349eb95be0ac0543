"""Simulation engines: the vectorized NumPy engine (and, later, the Mesa agent engine)."""

"""Experiments on the model: parameter sweeps (spec, design, store, executors, sweep, analysis,
figures, views; docs/sweeps.md), ablations of its mechanisms and calibration measurements."""

"""Experiments on the model: ablations of its mechanisms and calibration measurements."""

"""Simulation engines over one day order (`day`): the vectorised engine (`vector`, arrays and
compiled passes in `kernels`) and the Mesa agent engine (`agents`); what both share besides the
order: the day-0 audience (`initial`), tracked histories (`history`), the metrics row
(`metrics_row`); and docking, the two side by side (`docking`)."""

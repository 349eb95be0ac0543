"""The longgame web app (Solara): compare strategies, teach the long game, watch an audience.

``viz/app.py`` holds the routes; each page lives in ``viz/pages/``. The app only composes the
library (``sim``): runs go through ``sim.runner``, statistics through ``sim.summary``, files
through ``sim.loading`` and ``sim.output``, charts start from ``sim.charts``. Start it with
``longgame app`` (or ``make app``) and open http://localhost:8765.
"""

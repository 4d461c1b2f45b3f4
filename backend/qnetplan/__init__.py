"""QNetPlan: planning workbench for quantum networks."""

__version__ = "0.1.0"

"""The analyst's workbench behind ``accord serve``: a local web app over the same core as the CLI.

How it is put together (state, fast forecasts, background jobs, variants, safety):
``docs/workbench.md``.
"""

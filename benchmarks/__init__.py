"""Benchmarks: dev tooling beside the library, not part of it (``python -m geo bench [--app]`` runs them from a
source checkout).  :mod:`benchmarks.national` times the library on the whole country, :mod:`benchmarks.app_pages`
the Streamlit app in headless Chromium, with the browser and server helpers of :mod:`benchmarks.browser` that
the browser tests share."""

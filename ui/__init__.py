"""The Streamlit app's shared parts, imported by the entry point (app.py) and the pages (pages/): the store and view
state of a run (state), the cached queries (queries), the sidebar and other shared widgets (widgets), the login
(login), the navigation (navigation), Streamlit's own words in ours (streamlit_words) and the HTTP routes served
beside the app (routes).  The library (geo) never imports it."""

"""村居法律顾问覆盖图 - the Streamlit app's entry point.  Run with ``streamlit run app.py``.

Each run sets up the page, finds who is asking (:mod:`ui.login`), registers the navigation (:mod:`ui.navigation`),
resolves the view state (:mod:`ui.state`), draws the sidebar (:mod:`ui.widgets`) and runs the page
(:func:`ui.run.main`); the pages in ``pages/`` import what they share from :mod:`ui`, never from here.  ``server``
is the ``st.App`` that ``streamlit run app.py`` finds and serves: Streamlit plus the login cookie's routes
(:mod:`ui.routes`) and the public village page (:mod:`ui.public_routes`).
"""
from __future__ import annotations

# multiprocessing runs the main script again, as __mp_main__, in every child of an import worker
# (geo.imports.worker) before the child reads its file: the child needs none of the app, and importing Streamlit
# and the pages there cost each upload seconds of CPU
if __name__ != "__mp_main__":
    import streamlit as st

    from ui import login, public_routes, routes, state
    from ui.run import main

    #: what ``streamlit run app.py`` serves: the app, plus the login cookie's routes and the public village page
    #: (ui.public_routes) on the same port
    server = st.App(__file__, routes=routes.routes(state.app_store, login.cookie_policy)
                    + public_routes.routes(state.app_store), middleware=routes.middleware())

    if __name__ == "__main__":
        main()

"""The library: everything the app and the command line do, in layers (text, core, privacy; store, sources, outputs;
auth; imports, views, planning, briefing; demo, testing; cli), never importing streamlit."""

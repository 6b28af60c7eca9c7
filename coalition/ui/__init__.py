"""The dashboard: its pages (``pages/``, one short file each, run by ``st.navigation`` in
streamlit_app.py) and what they share: session keys and cached access to the store
(``state``), sign-in (``login``), page actions (``actions``), charts, the map's filters
(``mapview``) and the organization forms (``forms``)."""

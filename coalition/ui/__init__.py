"""The dashboard's pages (one file each, run by ``st.navigation`` in streamlit_app.py) and
what they share: session keys and cached access to the store (``state``), pure helpers
for the map's filters (``mapview``) and the organization forms (``forms``)."""

"""The dashboard's pages: one short file each, run by ``st.navigation``."""

"""Streamlit helpers shared by the pages in views/: one small module per job."""

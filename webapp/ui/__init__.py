"""Streamlit helpers shared by the pages in webapp/views/: one small module per job."""

"""政策北斗's web app: the Streamlit pages (webapp/views/) and their helpers (webapp/ui/).

The library (``recommender``) never imports Streamlit; everything that draws lives here.
"""

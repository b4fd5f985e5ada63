"""The 政策覆盖分析 page's parts: cached work, the population, the heatmap, the tables, what-if.

Every number comes from ``recommender.coverage``; these modules only collect choices and show tables.
"""

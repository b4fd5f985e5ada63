"""政策北斗: match Shanghai enterprises to the support measures of district policies."""

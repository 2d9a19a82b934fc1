"""The parent and youth portal's views, one module per subject (STYLE §4.3: thin views)."""

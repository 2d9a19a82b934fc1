"""Views of the professional's workplace, one module per area (STYLE §4.3: views are thin)."""

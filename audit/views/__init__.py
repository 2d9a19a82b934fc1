"""The FG's workbench: search and timelines (workbench), reviews (review), signals and charts."""

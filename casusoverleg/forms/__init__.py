"""Forms of the casusoverleg app, one module per area; choice fields are scoped to the user."""

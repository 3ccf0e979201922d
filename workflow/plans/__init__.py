"""Daily collection plans: solve, store, read, route map, crew worksheets."""

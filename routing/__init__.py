"""Vehicle routing core: pure values in, pure values out (only ``solver`` imports OR-Tools)."""

"""The run record: its type, reading and writing (the low home every layer imports)."""

"""The staff roster: reading HR-system exports, planning what they change, applying them (web, CLI, background)."""

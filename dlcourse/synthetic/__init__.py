"""Generators for the course's synthetic tasks (one module per topic), each seeded and documented, used where
no real data ships offline. Chapters say plainly when their data comes from here."""

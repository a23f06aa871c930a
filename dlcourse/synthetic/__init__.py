"""Generators of the course's synthetic tasks, one module per topic.

Each is seeded and documented, and used where no real data ships offline. The chapters
say plainly when their data comes from here.
"""

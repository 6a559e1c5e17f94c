"""The locks of every environment and the script that compiles them (requirements/lock.py)."""

"""Indicators and their observations (plan text facts, published releases, submissions, demo data), and their
monitoring settings: profiles, targets by year and links to plan tasks (profiles.py, profile_service.py)."""

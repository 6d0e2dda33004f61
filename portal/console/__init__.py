"""Organizer dashboard, announcements and audit log pages."""

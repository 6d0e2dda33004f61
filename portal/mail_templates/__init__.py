"""Organizers' wording of the portal's emails: the kinds and their placeholders, editing, and
the rendering step that every email goes through."""

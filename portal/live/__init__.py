"""Pitch day (路演): the live session of a final round, its host, big screen, judges and audience."""
